/// Conv2D's oneDNN path: forward and backward-data by oneDNN on plain NCHW tensors, the weight
/// gradient by oneDNN or by lowering + sgemm (`oneDNNWeightGradient`), a few images per call
/// so that oneDNN's blocked-layout copies stay small.
extension Conv2D {
    /// Floats of input plus output one oneDNN call covers (32 MB): bounds the reorder buffers.
    static let oneDNNChunkFloats = 8 << 20

    /// Images per oneDNN call for this geometry.
    private func oneDNNChunk(images n: Int, geometry g: ConvGeometry) -> Int {
        let perImage = max(g.imageSize + outChannels * g.positions, 1)
        return max(1, min(n, Conv2D.oneDNNChunkFloats / perImage))
    }

    /// The cached passes for `images` images of this geometry and these activation layouts,
    /// created on first use.
    private func oneDNNPasses(images: Int, geometry g: ConvGeometry, layouts: Layouts) throws -> OneDNNConvolution {
        let key = [g.height, g.width, images, layouts.input == .plain ? 0 : 1, layouts.output == .plain ? 0 : 1]
        if let passes = oneDNNPasses[key] { return passes }
        let passes = try OneDNNConvolution(label: name, geometry: g, outChannels: outChannels,
                                           hasBias: bias != nil, images: images,
                                           srcLayout: layouts.input, dstLayout: layouts.output,
                                           algorithm: oneDNNAlgorithm)
        oneDNNPasses[key] = passes
        return passes
    }

    /// The layouts of a pass's input (and input gradient) and output (and output gradient).
    typealias Layouts = (input: TensorLayout, output: TensorLayout)

    /// Calls `body(first, count, passes)` for consecutive chunks of the batch. Both layouts keep
    /// each image's values together, so a chunk starts `first` images in, in either.
    private func forEachChunk(images n: Int, geometry g: ConvGeometry, layouts: Layouts,
                              _ body: (Int, Int, OneDNNConvolution) throws -> Void) throws {
        let chunk = oneDNNChunk(images: n, geometry: g)
        var first = 0
        while first < n {
            let count = min(chunk, n - first)
            try body(first, count, try oneDNNPasses(images: count, geometry: g, layouts: layouts))
            first += count
        }
    }

    func oneDNNForward(_ input: Tensor, geometry g: ConvGeometry, training: Bool,
                       outputLayout: TensorLayout) throws -> Tensor {
        let n = input.shape[0], outSize = outChannels * g.positions
        cachedInput = training ? input : nil
        let layouts = (input: input.layout, output: outputLayout)
        var output = Tensor(shape: [n, outChannels, g.outHeight, g.outWidth]) { _ in }
        output.layout = outputLayout
        try output.withUnsafeMutableBufferPointer { out in
        try input.withUnsafeBufferPointer { x in
        try weight.value.withUnsafeBufferPointer { w in
        try (bias?.value.scalars ?? []).withUnsafeBufferPointer { b in
            guard let out = out.baseAddress, let x = x.baseAddress, let w = w.baseAddress else { return }
            try forEachChunk(images: n, geometry: g, layouts: layouts) { first, _, passes in
                try passes.forward(src: x + first * g.imageSize, weights: w, bias: b.baseAddress,
                                   dst: out + first * outSize)
            }
        }}}}
        return output
    }

    /// The input gradient; adds the weight gradient (not the bias gradient) into `weight`.
    ///
    /// With oneDNN's weight gradient, each chunk's input is last read by its weight gradient,
    /// so the chunk's input gradient (same shape) overwrites it: `input` becomes the input
    /// gradient, and no second tensor of the input's size is allocated (151 MB for Koch's conv2
    /// at 256 images). When the caller still shares `input`'s storage, copy-on-write copies it
    /// first, so the caller's tensor never changes. With the weight gradient by lowering (it
    /// reads the whole input after the loop) the input gradient is a new tensor.
    ///
    /// `input` and `outputGradient` may be channel-blocked only with oneDNN's weight gradient
    /// (`acceptsChannelBlockedInput`); the input gradient has the input's layout.
    func oneDNNBackward(_ outputGradient: Tensor, consuming input: inout Tensor, geometry g: ConvGeometry) throws -> Tensor {
        let n = input.shape[0], outSize = outChannels * g.positions
        let useOneDNNWeights = oneDNNWeightGradient
        let layouts = (input: input.layout, output: outputGradient.layout)
        if !useOneDNNWeights {
            precondition(layouts.input == .plain && layouts.output == .plain, "\(name): the lowered weight gradient needs plain tensors")
            var inputGradient = Tensor(shape: input.shape) { _ in }
            try inputGradient.withUnsafeMutableBufferPointer { dx in
            try input.withUnsafeBufferPointer { x in
            try outputGradient.withUnsafeBufferPointer { dy in
            try weight.value.withUnsafeBufferPointer { w in
            try weight.gradient.withUnsafeMutableBufferPointer { dw in
                guard let dx = dx.baseAddress, let x = x.baseAddress, let dy = dy.baseAddress,
                      let w = w.baseAddress, let dw = dw.baseAddress else { return }
                try forEachChunk(images: n, geometry: g, layouts: layouts) { first, _, passes in
                    try passes.backwardData(diffDst: dy + first * outSize, weights: w, diffSrc: dx + first * g.imageSize)
                }
                accumulateWeightGradientByLowering(x: x, dy: dy, images: n, geometry: g, into: dw)
            }}}}}
            return inputGradient
        }
        let count = weight.value.count
        var weightChunk = [Float](repeating: 0, count: count)
        try input.withUnsafeMutableBufferPointer { x in
        try outputGradient.withUnsafeBufferPointer { dy in
        try weight.value.withUnsafeBufferPointer { w in
        try weight.gradient.withUnsafeMutableBufferPointer { dw in
        try weightChunk.withUnsafeMutableBufferPointer { dwChunk in
            guard let x = x.baseAddress, let dy = dy.baseAddress, let w = w.baseAddress,
                  let dw = dw.baseAddress, let dwChunk = dwChunk.baseAddress else { return }
            try forEachChunk(images: n, geometry: g, layouts: layouts) { first, _, passes in
                let chunkInput = x + first * g.imageSize, chunkGradient = dy + first * outSize
                try passes.backwardWeightsAndData(src: chunkInput, diffDst: chunkGradient, weights: w,
                                                  diffWeights: dwChunk, diffSrc: chunkInput)
                for i in 0..<count { dw[i] += dwChunk[i] }
            }
        }}}}}
        let inputGradient = input
        input = Tensor(zeros: [0])  // drop this function's reference: the caller's tensor is gone
        return inputGradient
    }

    /// `dW += Σ dy · colᵀ` by oneDNN's backward-weights pass, chunk by chunk (no input gradient).
    func oneDNNWeightGradientOnly(_ outputGradient: Tensor, input: Tensor, geometry g: ConvGeometry) throws {
        let n = input.shape[0], outSize = outChannels * g.positions
        let count = weight.value.count
        let layouts = (input: input.layout, output: outputGradient.layout)
        var weightChunk = [Float](repeating: 0, count: count)
        try input.withUnsafeBufferPointer { x in
        try outputGradient.withUnsafeBufferPointer { dy in
        try weight.gradient.withUnsafeMutableBufferPointer { dw in
        try weightChunk.withUnsafeMutableBufferPointer { dwChunk in
            guard let x = x.baseAddress, let dy = dy.baseAddress, let dw = dw.baseAddress,
                  let dwChunk = dwChunk.baseAddress else { return }
            try forEachChunk(images: n, geometry: g, layouts: layouts) { first, _, passes in
                try passes.backwardWeights(src: x + first * g.imageSize, diffDst: dy + first * outSize,
                                           diffWeights: dwChunk)
                for i in 0..<count { dw[i] += dwChunk[i] }
            }
        }}}}
    }

    /// `dW += Σ dy · colᵀ`, lowering a group of images at a time (the lowering path's weight
    /// gradient without its input gradient).
    func accumulateWeightGradientByLowering(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, images n: Int,
                                                    geometry g: ConvGeometry, into dw: UnsafeMutablePointer<Float>) {
        let o = outChannels, k = g.rows, p = g.positions
        let perImage = max(k * p, 1)
        let group = max(1, min(n, max(Conv2D.targetColumns / max(p, 1), Conv2D.targetLoweredFloats / perImage),
                               Conv2D.maxLoweredFloats / perImage))
        let col = UnsafeMutablePointer<Float>.allocate(capacity: k * group * p)
        defer { col.deallocate() }
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: group > 1 ? o * group * p : 1)
        defer { gathered.deallocate() }
        var first = 0
        while first < n {
            let count = min(group, n - first), cols = count * p
            Conv2D.lower(g, images: x + first * g.imageSize, count: count, into: col)
            let dyGroup = Conv2D.outputGradientMatrix(dy, first: first, count: count, channels: o, pixels: p,
                                                      scratch: gathered)
            gemm(transposeB: true, m: o, n: k, k: cols, a: dyGroup, lda: cols, b: col, ldb: cols,
                 beta: 1, c: dw, ldc: k)
            first += count
        }
    }
}
