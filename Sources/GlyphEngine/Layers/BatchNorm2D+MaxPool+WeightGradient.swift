/// Conv-4's first block in the training step's backward pass: a convolution whose input
/// gradient nobody needs (the model's first layer) and whose weight gradient is computed
/// directly (one input channel, see Conv2D+DirectWeightGradient.swift), then batch norm and a
/// 2x2 max-pool run fused.
///
/// Apart, batch norm's backward writes the convolution's whole output gradient (25 MB at 126
/// images of 64 x 28 x 28) and the weight gradient reads it back from memory. Here each plane
/// of that gradient is computed into a buffer of the task's own (3 KB, it stays in the core's
/// L1 cache) and its share of the weight gradient is taken at once: the output gradient is
/// never written. Each task owns one channel, which is one output channel of the convolution,
/// so its weight-gradient sums need no locks. Values are the unfused ones: the same per-plane
/// formulas, the same order of summation.
extension BatchNorm2D {
    /// `conv.accumulateParameterGradients(backwardPooled(pooledGradient, pool: pool))` without
    /// the intermediate gradient; releases the three layers' caches.
    func backwardPooled(_ pooledGradient: Tensor, pool: MaxPool2D, intoWeightGradientOf conv: Conv2D) throws {
        guard let cache else { throw EngineError.backwardBeforeForward(layer: name) }
        guard let poolCache = pool.cache else { throw EngineError.backwardBeforeForward(layer: pool.name) }
        let shape = cache.input.shape
        let pooledShape = try pool.outputShape(for: shape)
        guard pooledGradient.shape == pooledShape else {
            throw EngineError.shapeMismatch(layer: pool.name, expected: "output gradient \(pooledShape)",
                                            got: pooledGradient.shape)
        }
        let (input, g) = try conv.takeInputForFusedWeightGradient(outputShape: shape)
        self.cache = nil
        pool.cache = nil
        let pooledGradient = pooledGradient.inLayout(.plain)
        let n = shape[0], c = channels, w = shape[3], hw = shape[2] * w, m = Float(n * hw)
        let oh = pooledShape[2], ow = pooledShape[3], ohw = oh * ow
        let gamma = weight.value.scalars
        let rows = g.rows  // weights per output channel
        let padded = PaddedPlanes(g)
        var biasGradient = conv.bias?.gradient ?? Tensor(zeros: [c])
        input.withUnsafeBufferPointer { image in
        cache.input.withUnsafeBufferPointer { x in
        pooledGradient.withUnsafeBufferPointer { dy in
        poolCache.argmax.withUnsafeBufferPointer { arg in
        weight.gradient.withUnsafeMutableBufferPointer { dGamma in
        bias.gradient.withUnsafeMutableBufferPointer { dBeta in
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
