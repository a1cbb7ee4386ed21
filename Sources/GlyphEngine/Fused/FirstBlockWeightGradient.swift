/// Conv-4's first block in the training step's backward pass: a convolution whose input
/// gradient nobody needs (the plan's first step) and whose weight gradient is computed
/// directly (few input channels, see Conv2D+DirectWeightGradient.swift), then batch norm and a
/// 2x2 max-pool run fused (`BatchNormMaxPool`).
///
/// **Never materializes** the convolution's output gradient. Apart, batch norm's backward
/// writes it whole (the block's largest tensor: 64 planes per image) and the weight gradient
/// reads it back from memory. Here each plane of that gradient is computed into a buffer of
/// the task's own (one plane: it stays in the core's L1 cache) and its share of the weight and
/// bias gradients is taken at once. Each task owns one channel, which is one output channel of
/// the convolution, so its sums need no locks.
///
/// **Why it is equal:** the same per-plane formulas as `BatchNormMaxPool.backward` followed by
/// `Conv2D.accumulateParameterGradients`, summed in the same order.
///
/// The step owns its cache: in training it keeps the block's input itself (the convolution
/// runs in inference mode and keeps nothing) and owns its batch norm + pool step. Where the
/// direct weight gradient does not apply (another backend, a geometry the direct kernels do
/// not take) it runs the convolution and the fused step one after the other. `backward` (the
/// input gradient, which a first layer's caller does not need; gradient checks do) re-runs
/// the convolution's forward pass in training mode and then its ordinary backward pass.
/// Made by `ExecutionPlan` for a plan that starts with a convolution, batch norm, ReLU, pool.
public final class FirstBlockWeightGradient: Layer {
    public let conv: Conv2D
    let normPool: BatchNormMaxPool

    private enum Cache {
        /// The block's input: the fused backward computes the convolution's gradients from it.
        case input(Tensor)
        /// The convolution kept its own cache (no direct weight gradient for this input).
        case layers
    }
    private var cache: Cache?

    init(_ conv: Conv2D, _ normPool: BatchNormMaxPool) {
        self.conv = conv
        self.normPool = normPool
    }

    /// Whether `conv` followed by `normPool` can be a first block (the rest is decided per input).
    static func canFuse(_ conv: Conv2D, _ normPool: BatchNormMaxPool) -> Bool {
        conv.outChannels == normPool.norm.channels
    }

    public var name: String { "FirstBlock(\(conv.name) > \(normPool.name))" }
    public var parameters: [Parameter] { conv.parameters + normPool.parameters }
    public var buffers: [Parameter] { conv.buffers + normPool.buffers }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try normPool.outputShape(for: conv.outputShape(for: inputShape))
    }

    /// Whether the fused backward applies to an input of this shape.
    func fuses(inputShape: [Int]) -> Bool {
        guard conv.backend == .onednn, let g = try? conv.geometry(for: inputShape) else { return false }
        return conv.usesDirectForward(g) && conv.usesDirectWeightGradient(g)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        cache = nil
        let input = input.inLayout(.plain)
        let direct = training && fuses(inputShape: input.shape)
        let y = try conv.forward(input, training: training && !direct, outputLayout: .plain)
        let output = try normPool.forward(y, training: training)
        if training { cache = direct ? .input(input) : .layers }
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let cache else { throw EngineError.backwardBeforeForward(layer: name) }
        self.cache = nil
        let dy = try normPool.backward(outputGradient)
        if case .input(let input) = cache { _ = try conv.forward(input, training: true, outputLayout: .plain) }
        return try conv.backward(dy)
    }

    public func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        guard let cache else { throw EngineError.backwardBeforeForward(layer: name) }
        self.cache = nil
        switch cache {
        case .layers:
            try conv.accumulateParameterGradients(normPool.backward(outputGradient))
        case .input(let input):
            try fusedParameterGradients(outputGradient, convInput: input)
        }
    }

    /// `conv.accumulateParameterGradients(normPool.backward(pooledGradient))` without the
    /// intermediate gradient.
    private func fusedParameterGradients(_ pooledGradient: Tensor, convInput: Tensor) throws {
        let cache = try normPool.takeCache()
        let norm = normPool.norm
        let shape = cache.input.shape
        let pooledShape = try normPool.pool.outputShape(for: shape)
        guard pooledGradient.shape == pooledShape else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(pooledShape)",
                                            got: pooledGradient.shape)
        }
        let g = try conv.geometry(for: convInput.shape)
        let padded = PaddedPlanes(g), images = convInput.shape[0]
        var input = [Float](unsafeUninitializedCapacity: images * g.channels * padded.planeStride) { _, count in
            count = images * g.channels * padded.planeStride
        }
        convInput.withUnsafeBufferPointer { x in
            input.withUnsafeMutableBufferPointer { padded.pad(x.baseAddress!, images: images, into: $0.baseAddress!) }
        }
        let pooledGradient = pooledGradient.inLayout(.plain)
        let n = shape[0], c = norm.channels, w = shape[3], hw = shape[2] * w, m = Float(n * hw)
        let oh = pooledShape[2], ow = pooledShape[3], ohw = oh * ow
        let gamma = norm.weight.value.scalars
        let rows = g.rows  // weights per output channel
        var biasGradient = conv.bias?.gradient ?? Tensor(zeros: [c])
        input.withUnsafeBufferPointer { image in
        cache.input.withUnsafeBufferPointer { x in
        pooledGradient.withUnsafeBufferPointer { dy in
        cache.argmax.withUnsafeBufferPointer { arg in
        norm.weight.gradient.withUnsafeMutableBufferPointer { dGamma in
        norm.bias.gradient.withUnsafeMutableBufferPointer { dBeta in
        conv.weight.gradient.withUnsafeMutableBufferPointer { dw in
        biasGradient.withUnsafeMutableBufferPointer { db in
            parallelFor(c) { ch in
                let mu = cache.mean[ch], inv = cache.inverseStd[ch]
                let (sumDy, sumDyCentered) = BatchNorm2D.pooledChannelSums(
                    x: x.baseAddress!, dy: dy.baseAddress!, argmax: arg.baseAddress!, images: n, channels: c, channel: ch,
                    width: w, planeSize: hw, outHeight: oh, outWidth: ow, mean: mu)
                let coefficients = BatchNorm2D.channelBackward(
                    sumDy: sumDy, sumDyCentered: sumDyCentered, inverseStd: inv, gamma: gamma[ch], count: m,
                    dGamma: &dGamma[ch], dBeta: &dBeta[ch])
                withUnsafeTemporaryAllocation(of: Float.self, capacity: hw + padded.runLength) { scratch in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: rows) { totals in
                    let planeGradient = scratch.baseAddress!, spread = planeGradient + hw, totals = totals.baseAddress!
                    totals.initialize(repeating: 0, count: rows)
                    var biasTotal: Double = 0
                    for i in 0..<n {
                        let plane = i * c + ch
                        BatchNorm2D.pooledPlaneGradient(x: x.baseAddress! + plane * hw, dy: dy.baseAddress! + plane * ohw,
                                                        argmax: arg.baseAddress! + plane * ohw, into: planeGradient,
                                                        width: w, planeSize: hw, outHeight: oh, outWidth: ow, mean: mu,
                                                        inverseStd: inv, coefficients: coefficients)
                        Conv2D.spreadRows(planeGradient, geometry: g, into: spread)
                        Conv2D.addPlaneWeightGradient(spread, paddedImage: image.baseAddress! + i * g.channels * padded.planeStride,
                                                      geometry: g, into: totals)
                        if conv.bias != nil { biasTotal += Double(Reductions.sum(planeGradient, count: hw)) }
                    }
                    for r in 0..<rows { dw[ch * rows + r] += Float(totals[r]) }
                    db[ch] += Float(biasTotal)
                }}
            }
        }}}}}}}}
        conv.bias?.gradient = biasGradient
    }
}
