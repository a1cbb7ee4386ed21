/// The fused batch norm + 2x2 max-pool (`forwardPooled`, `backwardPooled`) on channel-blocked
/// tensors (`TensorLayout.channelBlocked`), the layout oneDNN's convolutions read and write:
/// between two convolutions of Conv-4 the activations and gradients then never change layout.
///
/// The arithmetic is the plain layout's, value for value: each pixel's 16 channels sit side by
/// side, so every loop runs over the 16 lanes of a block at once (one vector or two) instead of
/// one channel's plane. One task per block of 16 channels computes their statistics, then
/// normalizes and pools them. Per-channel sums add the same terms grouped by image as the plain
/// kernel, so statistics and gradients agree with it to float rounding.
extension BatchNorm2D {
    /// `forwardPooled` for a channel-blocked input; the output and the pool's positions are
    /// channel-blocked too.
    func forwardPooledBlocked(_ input: Tensor, pool: MaxPool2D, training: Bool,
                              pooledShape: [Int]) throws -> (Tensor, BatchNormMaxPool.Cache?) {
        let n = input.shape[0], c = channels, h = input.shape[2], w = input.shape[3], hw = h * w
        let oh = pooledShape[2], ow = pooledShape[3], ohw = oh * ow
        let lanes = TensorLayout.block, blocks = c / lanes
        if training && n * hw <= 1 {
            throw EngineError.invalidArgument("\(name): training needs more than one value per channel, got \(input.shape)")
        }
        var mean = [Float](repeating: 0, count: c), inverseStd = [Float](repeating: 0, count: c)
        var unbiased = [Float](repeating: 0, count: c)
        var scale = [Float](repeating: 0, count: c), shift = [Float](repeating: 0, count: c)
        if !training {
            (scale, shift) = inferenceScaleAndShift(mean: &mean, inverseStd: &inverseStd)
        }
        var argmax = training ? [UInt8](unsafeUninitializedCapacity: n * c * ohw) { _, count in count = n * c * ohw } : []
        let gamma = weight.value.scalars, beta = bias.value.scalars
        var output = Tensor(shape: pooledShape) { y in
        input.withUnsafeBufferPointer { x in
        mean.withUnsafeMutableBufferPointer { meanOut in
        inverseStd.withUnsafeMutableBufferPointer { invOut in
        unbiased.withUnsafeMutableBufferPointer { unbiasedOut in
        scale.withUnsafeMutableBufferPointer { scale in
        shift.withUnsafeMutableBufferPointer { shift in
        argmax.withUnsafeMutableBufferPointer { arg in
            let x = x.baseAddress!, y = y.baseAddress!
            parallelFor(blocks) { block in
                let first = block * lanes
                // Image `image`'s run of this block: hw pixels of 16 channels (ohw when pooled).
                func run(_ image: Int, _ size: Int) -> Int { (image * blocks + block) * size * lanes }
                if training {
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: lanes) { total in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: lanes) { part in
                        let total = total.baseAddress!, part = part.baseAddress!
                        // The mean, then the squares around it (as `statistics`): per image in
                        // Float, across images in Double.
                        total.initialize(repeating: 0, count: lanes)
                        for image in 0..<n {
                            BatchNorm2D.laneSums(x + run(image, hw), pixels: hw, center: nil, into: part)
                            for l in 0..<lanes { total[l] += Double(part[l]) }
                        }
                        for l in 0..<lanes { meanOut[first + l] = Float(total[l] / Double(n * hw)) }
                        total.initialize(repeating: 0, count: lanes)
                        for image in 0..<n {
                            BatchNorm2D.laneSums(x + run(image, hw), pixels: hw, center: meanOut.baseAddress! + first,
                                                 into: part)
                            for l in 0..<lanes { total[l] += Double(part[l]) }
                        }
                        for l in 0..<lanes {
                            let ch = first + l
                            let variance = total[l] / Double(n * hw)
                            invOut[ch] = Float(1 / (variance + Double(epsilon)).squareRoot())
                            unbiasedOut[ch] = Float(total[l] / Double(n * hw - 1))
                            scale[ch] = gamma[ch] * invOut[ch]
                            shift[ch] = beta[ch] - meanOut[ch] * scale[ch]
                        }
                    }}
                }
                let a = scale.baseAddress! + first, b = shift.baseAddress! + first
                for image in 0..<n {
                    let src = x + run(image, hw), dst = y + run(image, ohw)
                    let positions = training ? arg.baseAddress! + run(image, ohw) : nil
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let topLeft = src + ((2 * oy) * w + 2 * ox) * lanes, bottomLeft = topLeft + w * lanes
                            let o = (oy * ow + ox) * lanes
                            BatchNorm2D.poolLanes(topLeft, topLeft + lanes, bottomLeft, bottomLeft + lanes,
                                                  scale: a, shift: b, into: dst + o, positions: positions.map { $0 + o })
                        }
                    }
                }
            }
        }}}}}}}}
        output.layout = .channelBlocked
        if training { updateRunningStatistics(mean: mean, unbiasedVariance: unbiased) }
        return (output, training ? BatchNormMaxPool.Cache(input: input, mean: mean, inverseStd: inverseStd, argmax: argmax) : nil)
    }

    /// Per lane, Σ x over `pixels` pixels of 16 lanes, or Σ (x - center)² when `center` is given.
    @inline(__always)
    private static func laneSums(_ x: UnsafePointer<Float>, pixels: Int, center: UnsafePointer<Float>?,
                                 into sums: UnsafeMutablePointer<Float>) {
        let lanes = TensorLayout.block
        for l in 0..<lanes { sums[l] = 0 }
        if let center {
            for p in 0..<pixels {
                for l in 0..<lanes { let d = x[p * lanes + l] - center[l]; sums[l] += d * d }
            }
        } else {
            for p in 0..<pixels {
                for l in 0..<lanes { sums[l] += x[p * lanes + l] }
            }
        }
    }

    /// One window of 16 lanes: the maximum of `x * scale + shift` over its four pixels and,
    /// when `positions` is given, which pixel (0...3 in row order, the first of equal values:
    /// as `MaxPool2x2.forward`).
    @inline(__always)
    private static func poolLanes(_ p0: UnsafePointer<Float>, _ p1: UnsafePointer<Float>, _ p2: UnsafePointer<Float>,
                                  _ p3: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                                  into out: UnsafeMutablePointer<Float>, positions: UnsafeMutablePointer<UInt8>?) {
        for l in 0..<TensorLayout.block {
            let s = scale[l], t = shift[l]
            let a = p0[l] * s + t, b = p1[l] * s + t, c = p2[l] * s + t, d = p3[l] * s + t
            let upper = b > a ? b : a, lower = d > c ? d : c
            let best = lower > upper ? lower : upper
            out[l] = best
            if let positions {
                let notA = unsafeBitCast(a != best, to: UInt8.self)
                let notB = unsafeBitCast(b != best, to: UInt8.self)
                let notC = unsafeBitCast(c != best, to: UInt8.self)
                positions[l] = notA &+ (notA & notB) &+ (notA & notB & notC)
            }
        }
    }

    /// `backwardPooled` for channel-blocked tensors (the input gradient is channel-blocked).
    func backwardPooledBlocked(_ pooledGradient: Tensor, cache: BatchNormMaxPool.Cache, pooledShape: [Int]) -> Tensor {
        let shape = cache.input.shape
        let n = shape[0], c = channels, h = shape[2], w = shape[3], hw = h * w, m = Float(n * hw)
        let oh = pooledShape[2], ow = pooledShape[3], ohw = oh * ow
        let lanes = TensorLayout.block, blocks = c / lanes
        let gamma = weight.value.scalars
        let pooledGradient = pooledGradient.inLayout(.channelBlocked)
        var inputGradient = Tensor(shape: shape) { _ in }  // every element is written below
        inputGradient.layout = .channelBlocked
        inputGradient.withUnsafeMutableBufferPointer { dx in
        cache.input.withUnsafeBufferPointer { x in
        pooledGradient.withUnsafeBufferPointer { dy in
        cache.argmax.withUnsafeBufferPointer { arg in
        cache.mean.withUnsafeBufferPointer { mean in
        cache.inverseStd.withUnsafeBufferPointer { inverseStd in
        weight.gradient.withUnsafeMutableBufferPointer { dGamma in
        bias.gradient.withUnsafeMutableBufferPointer { dBeta in
            let x = x.baseAddress!, dy = dy.baseAddress!, dx = dx.baseAddress!, arg = arg.baseAddress!
            parallelFor(blocks) { block in
                let first = block * lanes
                let mu = mean.baseAddress! + first, inv = inverseStd.baseAddress! + first
                func run(_ image: Int, _ size: Int) -> Int { (image * blocks + block) * size * lanes }
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 5 * lanes) { scratch in
                    let planeSum = scratch.baseAddress!, planeDot = planeSum + lanes
                    let a = planeDot + lanes, meanDy = a + lanes, meanDyXhat = meanDy + lanes
                    // Σ dy and Σ dy·(x - μ) per channel: only each window's maximum has a
                    // non-zero dy, the pooled gradient.
                    var sumDy = [Double](repeating: 0, count: lanes), sumDyCentered = [Double](repeating: 0, count: lanes)
                    for image in 0..<n {
                        let xs = x + run(image, hw), g = dy + run(image, ohw), positions = arg + run(image, ohw)
                        for l in 0..<lanes { planeSum[l] = 0; planeDot[l] = 0 }
                        // Wrapping index arithmetic (&+, &*) in this kernel's inner loops: the
                        // indices are bounded by the tensor shapes checked above, and overflow
                        // checks on them kept the loops from vectorizing (with them the kernel
                        // took about twice its unchecked time; docs/performance-checks.md).
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                let o = (oy &* ow &+ ox) &* lanes, corner = (2 &* oy) &* w &+ 2 &* ox
                                for l in 0..<lanes {
                                    let p = Int(positions[o &+ l]), v = g[o &+ l]
                                    let pixel = corner &+ (p >> 1) &* w &+ (p & 1)
                                    planeSum[l] += v
                                    planeDot[l] += v * (xs[pixel &* lanes &+ l] - mu[l])
                                }
                            }
                        }
                        for l in 0..<lanes {
                            sumDy[l] += Double(planeSum[l])
                            sumDyCentered[l] += Double(planeDot[l])
                        }
                    }
                    for l in 0..<lanes {
                        (a[l], meanDy[l], meanDyXhat[l]) = BatchNorm2D.channelBackward(
                            sumDy: sumDy[l], sumDyCentered: sumDyCentered[l], inverseStd: inv[l],
                            gamma: gamma[first + l], count: m, dGamma: &dGamma[first + l], dBeta: &dBeta[first + l])
                    }
                    // dx = a · (dy - mean(dy) - x̂ · mean(dy · x̂)), where dy is the pooled
                    // gradient at each window's maximum and zero elsewhere (and in a dropped
                    // last row or column).
                    for image in 0..<n {
                        let xs = x + run(image, hw), out = dx + run(image, hw)
                        let g = dy + run(image, ohw), positions = arg + run(image, ohw)
                        for y in 0..<h {
                            for xPixel in 0..<w where y >= 2 * oh || xPixel >= 2 * ow {
                                let pixel = (y &* w &+ xPixel) &* lanes
                                for l in 0..<lanes {
                                    let xhat = (xs[pixel &+ l] - mu[l]) * inv[l]
                                    out[pixel &+ l] = a[l] * (0 - meanDy[l] - xhat * meanDyXhat[l])
                                }
                            }
                        }
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                let o = (oy &* ow &+ ox) &* lanes, corner = (2 &* oy) &* w &+ 2 &* ox
                                for q in 0..<4 {
                                    let pixel = (corner &+ (q >> 1) &* w &+ (q & 1)) &* lanes
                                    for l in 0..<lanes {
                                        let xhat = (xs[pixel &+ l] - mu[l]) * inv[l]
                                        let v = Int(positions[o &+ l]) == q ? g[o &+ l] : 0
                                        out[pixel &+ l] = a[l] * (v - meanDy[l] - xhat * meanDyXhat[l])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }}}}}}}}
        return inputGradient
    }
}
