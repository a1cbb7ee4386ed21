/// The weight gradient of a stride-1 "same" convolution with few lowered rows (Conv-4's first
/// layer: 1 channel, 3x3, so 9 rows) computed directly, without lowering.
///
/// Lowering such a layer writes a 9-row matrix and gathers the whole output gradient into a
/// second copy (25 MB at 126 images of 64 x 28 x 28) for a GEMM only 9 columns wide, which
/// runs far below the GEMM's speed. Directly, each weight is one dot product per image between
/// the output-gradient plane and the input plane shifted by the tap's offset (`shiftRun`): the
/// output gradient is read once, in place. Positions whose shifted column wrapped onto the
/// neighbouring row are taken out again afterwards. Each thread owns whole output channels, so
/// the sums are deterministic and need no locks.
extension Conv2D {
    /// Lowered rows up to which the direct kernel is used (a 3x3 kernel over up to 3 channels).
    static let directWeightGradientMaxRows = 27

    func usesDirectWeightGradient(_ g: ConvGeometry) -> Bool {
        g.isShift && g.rows <= Conv2D.directWeightGradientMaxRows
    }

    /// `dW += Σ dy ⊗ x` over `n` images, for a geometry where `usesDirectWeightGradient`.
    func accumulateWeightGradientDirectly(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, images n: Int,
                                          geometry g: ConvGeometry, into dw: UnsafeMutablePointer<Float>) {
        let o = outChannels, c = g.channels, p = g.positions, taps = g.kernel * g.kernel
        parallelFor(o) { oc in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: c * taps) { totals in
                totals.initialize(repeating: 0)
                for image in 0..<n {
                    Conv2D.addPlaneWeightGradient(dy + (image * o + oc) * p, image: x + image * g.imageSize, geometry: g,
                                                  into: totals.baseAddress!)
                }
                for r in 0..<(c * taps) { dw[oc * c * taps + r] += Float(totals[r]) }
            }
        }
    }

    /// One image's share of one output channel's weight gradient: `totals[channel * k² + tap]
    /// += Σ_q gradient[q] · x[channel, q shifted by the tap]`, from that channel's output
    /// gradient plane and the image's input planes.
    @inline(__always)
    static func addPlaneWeightGradient(_ gradient: UnsafePointer<Float>, image x: UnsafePointer<Float>,
                                       geometry g: ConvGeometry, into totals: UnsafeMutablePointer<Double>) {
        let k = g.kernel, taps = k * k, planeSize = g.height * g.width
        for channel in 0..<g.channels {
            let plane = x + channel * planeSize
            for tap in 0..<taps {
                let run = g.shiftRun(ki: tap / k, kj: tap % k)
                var sum = Reductions.dot(gradient + run.qLo, plane + run.qLo + run.s, count: run.qHi - run.qLo)
                g.forEachWrapped(qLo: run.qLo, qHi: run.qHi, dx: run.dx) { q in
                    sum -= gradient[q] * plane[q + run.s]
                }
                totals[channel * taps + tap] += Double(sum)
            }
        }
    }

    /// Whether the training step's backward may fuse this layer's parameter gradients into the
    /// batch norm after it (`BatchNorm2D.backwardPooled(_:pool:intoWeightGradientOf:)`): the
    /// direct weight gradient from a plain output gradient.
    var fusesWeightGradientIntoBatchNorm: Bool {
        guard backend == .onednn, producedLayout == .plain, let input = cachedInput,
              let g = try? geometry(for: input.shape) else { return false }
        return usesDirectWeightGradient(g)
    }

    /// For the fused backward: the cached input and its geometry, after checking the output
    /// gradient's shape; releases the cache as `accumulateParameterGradients` does.
    func takeInputForFusedWeightGradient(outputShape: [Int]) throws -> (Tensor, ConvGeometry) {
        guard let input = cachedInput else { throw EngineError.backwardBeforeForward(layer: name) }
        let g = try geometry(for: input.shape)
        let expected = [input.shape[0], outChannels, g.outHeight, g.outWidth]
        guard outputShape == expected else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(expected)", got: outputShape)
        }
        precondition(usesDirectWeightGradient(g), "\(name): no direct weight gradient to fuse")
        cachedInput = nil
        return (input, g)
    }
}
