import GlyphRandom

/// A 2-D convolution over NCHW images, computed by oneDNN's kernels or lowered to matrix
/// products (im2col + sgemm); `backend` chooses (see `ConvolutionBackend`; the oneDNN path is
/// in Conv2D+OneDNN.swift). With the oneDNN backend, small stride-1 "same" layers (Conv-4's
/// first: one channel, 3x3) are computed directly instead, forward and weight gradient
/// (Conv2D+DirectForward.swift, Conv2D+DirectWeightGradient.swift). What follows describes
/// the lowering path.
///
/// Weight `[out, in, k, k]`, bias `[out]`, as PyTorch's `nn.Conv2d`. Forward per group of
/// images: `col[in*k*k, positions]` then `y = W · col + b`. Backward needs `col` again: small
/// layers keep the batch's lowered matrix from forward (see `maxKeptLoweredFloats`); large ones
/// recompute it from the cached input (their lowered matrices would take gigabytes). Then
/// `dW += dy · colᵀ`, then the same buffer receives `dcol = Wᵀ · dy`, which `col2im` adds
/// back onto the input gradient.
///
/// Small layers (few output positions) lower several images side by side so that one GEMM
/// has enough columns to run at full speed.
public final class Conv2D: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Padding
    public let weight: Parameter
    public let bias: Parameter?

    /// Columns one GEMM should have at least, when the lowered matrix stays small enough.
    nonisolated(unsafe) static var targetColumns = 4096
    /// Lowered floats one group may use even past `targetColumns` (16 MB): layers with few
    /// rows (the first layer of a network) then get one GEMM over many images.
    static let targetLoweredFloats = 4 << 20
    /// Upper bound on the lowered matrix of one group, in floats (64 MB).
    static let maxLoweredFloats = 16 << 20

    /// Lowered floats a training forward may keep for backward (128 MB). Small layers (all of
    /// Conv-4's, Koch's last) then lower the whole batch once, run one GEMM per pass, and
    /// backward skips lowering again and reuses the buffer for the lowered gradient; large
    /// layers (Koch's first three) re-lower per group to keep memory down.
    nonisolated(unsafe) static var maxKeptLoweredFloats = 32 << 20

    /// Floats of lowered gradient computed per GEMM in backward (4 MB): small enough to stay
    /// in cache until col2im adds it onto the input gradient.
    static let gradientChunkFloats = 1 << 20

    /// Images per GEMM, when set (tests use it to exercise both the one-image and the grouped
    /// path); setting it also turns keeping the lowered matrix off.
    var imagesPerGEMM: Int?

    /// Which kernels compute this layer: by default what measured faster for its shape,
    /// unless `ConvolutionBackend.override` says otherwise.
    public var backend: ConvolutionBackend
    /// With the oneDNN backend, whether oneDNN computes the input gradient; otherwise the whole
    /// backward pass is the lowering path's. oneDNN pads the input channels of its gradient to
    /// a full vector (16): for a first layer with 1 channel that is 16x the work.
    public var oneDNNInputGradient: Bool
    /// With the oneDNN backend and `oneDNNInputGradient`, whether oneDNN also computes the
    /// weight gradient; otherwise lowering + sgemm does (the notes found that faster on an
    /// AVX2-only machine; here oneDNN's was faster).
    public var oneDNNWeightGradient: Bool
    /// The algorithm the oneDNN passes ask for (`OneDNNAlgorithm`); set it before the first
    /// pass, which creates them.
    public var oneDNNAlgorithm: OneDNNAlgorithm = .preferred

    /// The training-mode input, kept for backward; nil after inference or backward.
    var cachedInput: Tensor?
    /// The layout of the last forward pass's output, which backward's output gradient must have.
    var producedLayout: TensorLayout = .plain
    /// The whole batch's lowered matrix `[rows, images * positions]` when small enough to keep.
    private var keptLowered: [Float]?
    /// oneDNN passes by `[height, width, images per call]` (batch sizes differ between
    /// training and validation; the last chunk of a batch may be smaller).
    var oneDNNPasses: [[Int]: OneDNNConvolution] = [:]
    /// The FFT path's kernel and the spectra it keeps (backend `.fft`).
    var fftConvolution: FFTConvolution?

    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Padding = .valid,
                useBias: Bool = true, weightInitializer: Initializer = .heNormal,
                biasInitializer: Initializer = .zeros) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        backend = ConvolutionBackend.override
            ?? ConvolutionBackend.preferred(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize)
        oneDNNInputGradient = ConvolutionBackend.prefersOneDNNInputGradient(inChannels: inChannels)
        oneDNNWeightGradient = ConvolutionBackend.prefersOneDNNWeightGradient(
            inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize)
        var generator = SeededGenerator(seed: 0)
        let fanIn = inChannels * kernelSize * kernelSize, fanOut = outChannels * kernelSize * kernelSize
        weight = Parameter(name: "weight", shape: [outChannels, inChannels, kernelSize, kernelSize],
                           initializer: weightInitializer, fanIn: fanIn, fanOut: fanOut, generator: &generator)
        bias = useBias
            ? Parameter(name: "bias", shape: [outChannels], initializer: biasInitializer,
                        fanIn: fanIn, fanOut: fanOut, generator: &generator)
            : nil
    }

    public var name: String {
        var text = "Conv2D(\(inChannels)->\(outChannels), \(kernelSize)x\(kernelSize)"
        if stride != 1 { text += ", stride \(stride)" }
        if padding == .same { text += ", same" }
        return text + ")"
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    func geometry(for shape: [Int]) throws -> ConvGeometry {
        let expected = "[N, \(inChannels), H, W] with H, W >= \(padding == .valid ? kernelSize : 1)"
        guard kernelSize > 0, stride > 0 else {
            throw EngineError.invalidArgument("\(name): kernel size and stride must be positive")
        }
        guard shape.count == 4, shape[1] == inChannels,
              let g = ConvGeometry(channels: inChannels, height: shape[2], width: shape[3],
                                   kernel: kernelSize, stride: stride, padding: padding)
        else { throw EngineError.shapeMismatch(layer: name, expected: expected, got: shape) }
        return g
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let g = try geometry(for: inputShape)
        return [inputShape[0], outChannels, g.outHeight, g.outWidth]
    }

    /// How many images to lower into one matrix.
    private func groupSize(images: Int, geometry g: ConvGeometry) -> Int {
        if let imagesPerGEMM { return max(1, min(images, imagesPerGEMM)) }
        let perImage = max(g.rows * g.positions, 1)
        let wanted = max(1, Conv2D.targetColumns / max(g.positions, 1), Conv2D.targetLoweredFloats / perImage)
        let affordable = max(1, Conv2D.maxLoweredFloats / perImage)
        return max(1, min(images, wanted, affordable))
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try forward(input, training: training, outputLayout: .plain)
    }

    /// Whether the forward and backward passes take a channel-blocked input as it is: oneDNN's
    /// forward, backward-data and backward-weights passes all do.
    var acceptsChannelBlockedInput: Bool {
        oneDNNComputesGradients && inChannels % TensorLayout.block == 0
    }

    /// Whether oneDNN computes both gradients, which then take channel-blocked tensors too.
    private var oneDNNComputesGradients: Bool {
        backend == .onednn && oneDNNInputGradient && oneDNNWeightGradient
    }

    /// Whether a forward pass over `g` can write its output channel-blocked (oneDNN's passes).
    private func producesChannelBlockedOutput(_ g: ConvGeometry) -> Bool {
        backend == .onednn && !usesDirectForward(g) && outChannels % TensorLayout.block == 0
    }

    /// `forward`, with the output in `outputLayout` when this layer can write it so (plain
    /// otherwise); a channel-blocked input is converted first when the layer cannot take it.
    /// The output's `layout` says which. A fused `ExecutionPlan` asks for blocked outputs.
    func forward(_ input: Tensor, training: Bool, outputLayout requested: TensorLayout) throws -> Tensor {
        let g = try geometry(for: input.shape)
        // (A plain input stays plain: converting it here, once for the forward pass and the
        // weight gradient, measured no faster than oneDNN's own two reorders.)
        let input = acceptsChannelBlockedInput ? input : input.inLayout(.plain)
        if usesFFT(g) { return fftForward(input, geometry: g, training: training) }
        producedLayout = requested == .channelBlocked && producesChannelBlockedOutput(g) ? .channelBlocked : .plain
        if backend == .onednn && usesDirectForward(g) {
            cachedInput = training ? input : nil
            keptLowered = nil
            return Tensor(shape: [input.shape[0], outChannels, g.outHeight, g.outWidth]) { out in
                input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    if let bias {
                        bias.value.withUnsafeBufferPointer { b in
                            forwardDirectly(x: x.baseAddress!, weights: w.baseAddress!, bias: b.baseAddress!,
                                            images: input.shape[0], geometry: g, into: out.baseAddress!)
                        }
                    } else {
                        forwardDirectly(x: x.baseAddress!, weights: w.baseAddress!, bias: nil,
                                        images: input.shape[0], geometry: g, into: out.baseAddress!)
                    }
                }}
            }
        }
        if backend == .onednn {
            return try oneDNNForward(input, geometry: g, training: training, outputLayout: producedLayout)
        }
        let n = input.shape[0], o = outChannels, k = g.rows, p = g.positions
        let keep = training && imagesPerGEMM == nil && k * n * p <= Conv2D.maxKeptLoweredFloats
        let group = keep ? n : groupSize(images: n, geometry: g)
        cachedInput = training ? input : nil
        keptLowered = nil
        var lowered = [Float](unsafeUninitializedCapacity: max(k * group * p, 1)) { _, count in
            count = max(k * group * p, 1)
        }
        defer { if keep { keptLowered = lowered } }
        let product = UnsafeMutablePointer<Float>.allocate(capacity: group > 1 ? o * group * p : 1)
        defer { product.deallocate() }
        let zeroBias = [Float](repeating: 0, count: o)

        return Tensor(shape: [n, o, g.outHeight, g.outWidth]) { out in
            lowered.withUnsafeMutableBufferPointer { col in
            input.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { w in
            (bias?.value.scalars ?? zeroBias).withUnsafeBufferPointer { b in
                guard let col = col.baseAddress, let x = x.baseAddress, let w = w.baseAddress,
                      let b = b.baseAddress, let out = out.baseAddress else { return }
                var first = 0
                while first < n {
                    let count = min(group, n - first), cols = count * p
                    Conv2D.lower(g, images: x + first * g.imageSize, count: count, into: col)
                    if count == 1 {
                        let y = out + first * o * p
                        gemm(m: o, n: p, k: k, a: w, lda: k, b: col, ldb: p, c: y, ldc: p)
                        parallelFor(o) { oc in
                            let plane = y + oc * p, v = b[oc]
                            for i in 0..<p { plane[i] += v }
                        }
                    } else {
                        gemm(m: o, n: cols, k: k, a: w, lda: k, b: col, ldb: cols, c: product, ldc: cols)
                        parallelFor(count * o) { t in
                            let image = t / o, oc = t % o
                            let src = product + oc * cols + image * p
                            let dst = out + ((first + image) * o + oc) * p
                            let v = b[oc]
                            for i in 0..<p { dst[i] = src[i] + v }
                        }
                    }
                    first += count
                }
            }}}}
        }
    }

    /// Lowers `count` consecutive images into `col[rows, count * positions]`.
    static func lower(_ g: ConvGeometry, images: UnsafePointer<Float>, count: Int,
                              into col: UnsafeMutablePointer<Float>) {
        let rows = g.rows, p = g.positions, cols = count * p
        parallelFor(count * rows) { t in
            let image = t / rows, row = t % rows
            g.im2colRow(row, image: images + image * g.imageSize, into: col + row * cols + image * p)
        }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        // `var`: once `cachedInput` is cleared this is the input's only reference, which the
        // oneDNN path may overwrite with the input gradient (see `oneDNNBackward`).
        guard var input = cachedInput else { throw EngineError.backwardBeforeForward(layer: name) }
        // The output gradient in the output's layout, or plain where oneDNN does not compute
        // both gradients (then the input is plain too).
        let outputGradient = outputGradient.inLayout(oneDNNComputesGradients ? producedLayout : .plain)
        let g = try geometry(for: input.shape)
        let n = input.shape[0], o = outChannels, k = g.rows, p = g.positions, c = inChannels
        let expected = [n, o, g.outHeight, g.outWidth]
        guard outputGradient.shape == expected else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(expected)",
                                            got: outputGradient.shape)
        }
        cachedInput = nil
        if usesFFT(g) { return fftBackward(outputGradient, input: input, geometry: g, inputGradient: true)! }
        if backend == .onednn && oneDNNInputGradient {
            let inputGradient = try oneDNNBackward(outputGradient, consuming: &input, geometry: g)
            accumulateBiasGradient(outputGradient, images: n, positions: p)
            return inputGradient
        }
        // The kept lowered matrix (whole batch, one group) or a fresh per-group buffer.
        let kept = keptLowered != nil && keptLowered!.count == k * n * p
        var lowered = kept ? keptLowered! : []
        keptLowered = nil
        let group = kept ? n : groupSize(images: n, geometry: g)
        if !kept {
            lowered = [Float](unsafeUninitializedCapacity: max(k * group * p, 1)) { _, count in
                count = max(k * group * p, 1)
            }
        }
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: group > 1 ? o * group * p : 1)
        defer { gathered.deallocate() }
        let kk = kernelSize * kernelSize

        var inputGradient = Tensor(zeros: input.shape)
        lowered.withUnsafeMutableBufferPointer { col in
        inputGradient.withUnsafeMutableBufferPointer { dx in
        input.withUnsafeBufferPointer { x in
        outputGradient.withUnsafeBufferPointer { dy in
        weight.value.withUnsafeBufferPointer { w in
        weight.gradient.withUnsafeMutableBufferPointer { dw in
            guard let col = col.baseAddress, let dx = dx.baseAddress, let x = x.baseAddress,
                  let dy = dy.baseAddress, let w = w.baseAddress, let dw = dw.baseAddress else { return }
            var first = 0
            while first < n {
                let count = min(group, n - first), cols = count * p
                if !kept { Conv2D.lower(g, images: x + first * g.imageSize, count: count, into: col) }
                // The output gradient of the group as one [out, cols] matrix.
                let dyGroup = Conv2D.outputGradientMatrix(dy, first: first, count: count, channels: o, pixels: p,
                                                          scratch: gathered)
                gemm(transposeB: true, m: o, n: k, k: cols, a: dyGroup, lda: cols, b: col, ldb: cols,
                     beta: 1, c: dw, ldc: k)
                // The lowered gradient `Wᵀ · dy` goes into the (now consumed) lowered buffer a few
                // images at a time, so that col2im reads it back from cache, not from memory.
                let chunk = max(1, min(count, Conv2D.gradientChunkFloats / max(k * p, 1)))
                var sub = 0
                while sub < count {
                    let images = min(chunk, count - sub), subCols = images * p
                    gemm(transposeA: true, m: k, n: subCols, k: o, a: w, lda: k, b: dyGroup + sub * p, ldb: cols,
                         beta: 0, c: col, ldc: subCols)
                    parallelFor(images * c) { t in
                        let image = t / c, channel = t % c
                        g.col2imChannel(col + channel * kk * subCols + image * p, rowStride: subCols,
                                        into: dx + (first + sub + image) * g.imageSize + channel * g.height * g.width)
                    }
                    sub += images
                }
                first += count
            }
        }}}}}}

        accumulateBiasGradient(outputGradient, images: n, positions: p)
        return inputGradient
    }

    /// The weight and bias gradients without the input gradient (a model's first layer: for
    /// Koch's conv1 that skips a GEMM as large as the weight gradient's, and col2im).
    public func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        guard let cached = cachedInput else { throw EngineError.backwardBeforeForward(layer: name) }
        let g = try geometry(for: cached.shape)
        let n = cached.shape[0]
        let expected = [n, outChannels, g.outHeight, g.outWidth]
        guard outputGradient.shape == expected else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(expected)",
                                            got: outputGradient.shape)
        }
        cachedInput = nil
        keptLowered = nil
        if usesFFT(g) {
            _ = fftBackward(outputGradient, input: cached, geometry: g, inputGradient: false)
            return
        }
        // As in `backward`: blocked only where oneDNN computes the weight gradient.
        let oneDNNWeights = oneDNNComputesGradients && !usesDirectWeightGradient(g)
        let outputGradient = outputGradient.inLayout(oneDNNWeights ? producedLayout : .plain)
        let input = oneDNNWeights ? cached : cached.inLayout(.plain)
        if backend == .onednn && usesDirectWeightGradient(g) {
            input.withUnsafeBufferPointer { x in
            outputGradient.withUnsafeBufferPointer { dy in
            weight.gradient.withUnsafeMutableBufferPointer { dw in
                accumulateWeightGradientDirectly(x: x.baseAddress!, dy: dy.baseAddress!, images: n, geometry: g, into: dw.baseAddress!)
            }}}
        } else if backend == .onednn && oneDNNInputGradient && oneDNNWeightGradient {
            try oneDNNWeightGradientOnly(outputGradient, input: input, geometry: g)
        } else {
            input.withUnsafeBufferPointer { x in
            outputGradient.withUnsafeBufferPointer { dy in
            weight.gradient.withUnsafeMutableBufferPointer { dw in
                guard let x = x.baseAddress, let dy = dy.baseAddress, let dw = dw.baseAddress else { return }
                accumulateWeightGradientByLowering(x: x, dy: dy, images: n, geometry: g, into: dw)
            }}}
        }
        accumulateBiasGradient(outputGradient, images: n, positions: g.positions)
    }

    /// `db[oc] += Σ dy[image, oc, :]`, in either layout.
    func accumulateBiasGradient(_ outputGradient: Tensor, images n: Int, positions p: Int) {
        let o = outChannels
        if let bias {
            let blocked = outputGradient.layout == .channelBlocked, b = TensorLayout.block
            outputGradient.withUnsafeBufferPointer { dy in
            bias.gradient.withUnsafeMutableBufferPointer { db in
                guard let dy = dy.baseAddress, let db = db.baseAddress else { return }
                parallelFor(o) { oc in
                    var total: Double = 0
                    for image in 0..<n {
                        if blocked {
                            let run = dy + ((image * o + oc - oc % b) * p) + oc % b
                            var sum: Float = 0
                            for i in 0..<p { sum += run[i * b] }
                            total += Double(sum)
                        } else {
                            total += Double(Reductions.sum(dy + (image * o + oc) * p, count: p))
                        }
                    }
                    db[oc] += Float(total)
                }
            }}
        }
    }
}

extension Conv2D {
    /// The output gradient of images `first ..< first + count` as one [channels, count * pixels]
    /// matrix, the layout the lowered weight-gradient GEMM takes: image-major `dy` itself for one
    /// image, otherwise gathered into `scratch` (capacity channels * count * pixels).
    static func outputGradientMatrix(_ dy: UnsafePointer<Float>, first: Int, count: Int, channels o: Int, pixels p: Int,
                                     scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if count == 1 { return dy + first * o * p }
        let cols = count * p
        parallelFor(count * o) { t in
            let image = t / o, oc = t % o
            (scratch + oc * cols + image * p).update(from: dy + ((first + image) * o + oc) * p, count: p)
        }
        return UnsafePointer(scratch)
    }
}
