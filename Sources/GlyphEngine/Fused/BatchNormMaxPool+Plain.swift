/// The kernels of `BatchNormMaxPool` on plain NCHW tensors (the channel-blocked ones are in
/// BatchNormMaxPool+Blocked.swift). They use the batch norm's parameters and running
/// statistics and return what backward needs instead of keeping it: the fused step owns it.
extension BatchNorm2D {
    /// `pool(self(input))`, and in training what `backwardPooled` needs; neither layer keeps anything.
    func forwardPooled(_ input: Tensor, pool: MaxPool2D, training: Bool) throws -> (Tensor, BatchNormMaxPool.Cache?) {
        _ = try outputShape(for: input.shape)
        let pooledShape = try pool.outputShape(for: input.shape)
        if input.layout == .channelBlocked {
            return try forwardPooledBlocked(input, pool: pool, training: training, pooledShape: pooledShape)
        }
        let n = input.shape[0], c = channels, w = input.shape[3], hw = input.shape[2] * w
        let oh = pooledShape[2], ow = pooledShape[3], ohw = oh * ow
        var mean = [Float](repeating: 0, count: c), inverseStd = [Float](repeating: 0, count: c)
        var argmax = training ? [UInt8](unsafeUninitializedCapacity: n * c * ohw) { _, count in count = n * c * ohw } : []
        let output: Tensor
        if training {
            guard n * hw > 1 else {
                throw EngineError.invalidArgument("\(name): training needs more than one value per channel, got \(input.shape)")
            }
            let gamma = weight.value.scalars, beta = bias.value.scalars
            var unbiased = [Float](repeating: 0, count: c)
            output = Tensor(shape: pooledShape) { y in
            input.withUnsafeBufferPointer { x in
            mean.withUnsafeMutableBufferPointer { meanOut in
            inverseStd.withUnsafeMutableBufferPointer { invOut in
            unbiased.withUnsafeMutableBufferPointer { unbiasedOut in
            argmax.withUnsafeMutableBufferPointer { arg in
                let eps = Double(epsilon)
                parallelFor(c) { ch in
                    let (mu, inv, unbiasedVariance) = BatchNorm2D.statistics(x.baseAddress!, images: n, channels: c,
                                                                            channel: ch, planeSize: hw, epsilon: eps)
                    meanOut[ch] = mu
                    invOut[ch] = inv
                    unbiasedOut[ch] = unbiasedVariance
                    let a = gamma[ch] * inv, b = beta[ch] - mu * a
                    for image in 0..<n {
                        let plane = image * c + ch
                        MaxPool2x2.forward(x.baseAddress! + plane * hw, width: w, y.baseAddress! + plane * ohw,
                                           outHeight: oh, outWidth: ow, arg: arg.baseAddress! + plane * ohw) { $0 * a + b }
                    }
                }
            }}}}}}
            updateRunningStatistics(mean: mean, unbiasedVariance: unbiased)
        } else {
            let (scale, shift) = inferenceScaleAndShift(mean: &mean, inverseStd: &inverseStd)
            output = Tensor(shape: pooledShape) { y in
                input.withUnsafeBufferPointer { x in
                    parallelFor(n * c) { plane in
                        let a = scale[plane % c], b = shift[plane % c]
                        MaxPool2x2.forward(x.baseAddress! + plane * hw, width: w, y.baseAddress! + plane * ohw,
                                           outHeight: oh, outWidth: ow, arg: nil) { $0 * a + b }
                    }
                }
            }
        }
        return (output, training ? BatchNormMaxPool.Cache(input: input, mean: mean, inverseStd: inverseStd, argmax: argmax) : nil)
    }

    /// The gradient with respect to this layer's input, from the gradient of the pool's output
    /// and what `forwardPooled` returned; adds this layer's parameter gradients.
    func backwardPooled(_ pooledGradient: Tensor, pool: MaxPool2D, cache: BatchNormMaxPool.Cache) throws -> Tensor {
        let shape = cache.input.shape
        let pooledShape = try pool.outputShape(for: shape)
        guard pooledGradient.shape == pooledShape else {
            throw EngineError.shapeMismatch(layer: pool.name, expected: "output gradient \(pooledShape)",
                                            got: pooledGradient.shape)
        }
        if cache.input.layout == .channelBlocked {
            return backwardPooledBlocked(pooledGradient, cache: cache, pooledShape: pooledShape)
        }
        let pooledGradient = pooledGradient.inLayout(.plain)
        let n = shape[0], c = channels, w = shape[3], hw = shape[2] * w, m = Float(n * hw)
        let oh = pooledShape[2], ow = pooledShape[3], ohw = oh * ow
        let gamma = weight.value.scalars
        var inputGradient = Tensor(shape: shape) { _ in }  // every element is written below
        inputGradient.withUnsafeMutableBufferPointer { dx in
        cache.input.withUnsafeBufferPointer { x in
        pooledGradient.withUnsafeBufferPointer { dy in
        cache.argmax.withUnsafeBufferPointer { arg in
        weight.gradient.withUnsafeMutableBufferPointer { dGamma in
        bias.gradient.withUnsafeMutableBufferPointer { dBeta in
            parallelFor(c) { ch in
                let mu = cache.mean[ch], inv = cache.inverseStd[ch]
                let (sumDy, sumDyCentered) = BatchNorm2D.pooledChannelSums(
                    x: x.baseAddress!, dy: dy.baseAddress!, argmax: arg.baseAddress!, images: n, channels: c, channel: ch,
                    width: w, planeSize: hw, outHeight: oh, outWidth: ow, mean: mu)
                let coefficients = BatchNorm2D.channelBackward(
                    sumDy: sumDy, sumDyCentered: sumDyCentered, inverseStd: inv, gamma: gamma[ch], count: m,
                    dGamma: &dGamma[ch], dBeta: &dBeta[ch])
                for image in 0..<n {
                    let plane = image * c + ch
                    BatchNorm2D.pooledPlaneGradient(x: x.baseAddress! + plane * hw, dy: dy.baseAddress! + plane * ohw,
                                                    argmax: arg.baseAddress! + plane * ohw, into: dx.baseAddress! + plane * hw,
                                                    width: w, planeSize: hw, outHeight: oh, outWidth: ow, mean: mu,
                                                    inverseStd: inv, coefficients: coefficients)
                }
            }
        }}}}}}
        return inputGradient
    }

    /// Σ dy and Σ dy·(x - μ) over channel `ch` of the fused layer (plain layout): only each
    /// window's maximum has a non-zero dy, the pooled gradient. Per plane in Float, across
    /// planes in Double.
    @inline(__always)
    static func pooledChannelSums(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, argmax: UnsafePointer<UInt8>,
                                  images n: Int, channels c: Int, channel ch: Int, width w: Int, planeSize hw: Int,
                                  outHeight oh: Int, outWidth ow: Int, mean mu: Float) -> (sumDy: Double, sumDyCentered: Double) {
        let ohw = oh * ow
        var sumDy: Double = 0, sumDyCentered: Double = 0
        for image in 0..<n {
            let plane = image * c + ch
            let xs = x + plane * hw, g = dy + plane * ohw, positions = argmax + plane * ohw
            var planeSum: Float = 0, planeDot: Float = 0
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let i = oy * ow + ox, p = Int(positions[i])
                    let v = g[i]
                    planeSum += v
                    planeDot += v * (xs[(2 * oy + (p >> 1)) * w + 2 * ox + (p & 1)] - mu)
                }
            }
            sumDy += Double(planeSum)
            sumDyCentered += Double(planeDot)
        }
        return (sumDy, sumDyCentered)
    }

    /// One plane of the input gradient (see `channelBackward`): every pixel with dy = 0 first,
    /// then the windows' maxima with their gradient.
    @inline(__always)
    static func pooledPlaneGradient(x xs: UnsafePointer<Float>, dy g: UnsafePointer<Float>, argmax positions: UnsafePointer<UInt8>,
                                    into out: UnsafeMutablePointer<Float>, width w: Int, planeSize hw: Int,
                                    outHeight oh: Int, outWidth ow: Int, mean mu: Float, inverseStd inv: Float,
                                    coefficients: (a: Float, meanDy: Float, meanDyXhat: Float)) {
        let (a, meanDy, meanDyXhat) = coefficients
        for i in 0..<hw {
            let xhat = (xs[i] - mu) * inv
            out[i] = a * (0 - meanDy - xhat * meanDyXhat)
        }
        for oy in 0..<oh {
            for ox in 0..<ow {
                let i = oy * ow + ox, p = Int(positions[i])
                let pixel = (2 * oy + (p >> 1)) * w + 2 * ox + (p & 1)
                let xhat = (xs[pixel] - mu) * inv
                out[pixel] = a * (g[i] - meanDy - xhat * meanDyXhat)
            }
        }
    }
}
