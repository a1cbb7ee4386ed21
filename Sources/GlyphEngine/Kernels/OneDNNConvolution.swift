import CDNNL

/// The oneDNN passes of one convolution shape for one number of images: forward,
/// backward-data and (optionally) backward-weights, over OIHW weights and activations in the
/// given layouts (plain NCHW or channel-blocked; a gradient has its activation's layout).
///
/// The backward passes are created on first use (inference never needs them); every pass
/// reuses its primitive and its reorder buffers for the life of the layer.
final class OneDNNConvolution {
    let images: Int
    /// The algorithm all three passes ask for (the backward passes must match the forward's).
    private let algorithm: OneDNNAlgorithm
    private let geometry: ConvGeometry
    private let outChannels: Int
    private let hasBias: Bool
    private let label: String
    /// The layouts of the input (and its gradient) and of the output (and its gradient).
    private let srcTag: dnnl_format_tag_t, dstTag: dnnl_format_tag_t
    private let forwardPass: OneDNNPrimitive
    private var backwardDataPass: OneDNNPrimitive?
    private var backwardWeightsPass: OneDNNPrimitive?

    private var srcDims: [Int] { [images, geometry.channels, geometry.height, geometry.width] }
    private var weightDims: [Int] { [outChannels, geometry.channels, geometry.kernel, geometry.kernel] }
    private var dstDims: [Int] { [images, outChannels, geometry.outHeight, geometry.outWidth] }
    private var strides: [Int64] { OneDNNConvolution.windows(geometry).strides }
    private var paddingLeft: [Int64] { OneDNNConvolution.windows(geometry).left }
    private var paddingRight: [Int64] { OneDNNConvolution.windows(geometry).right }

    /// Strides and (top, left) / (bottom, right) padding; the latter is what makes oneDNN's
    /// output size equal ours.
    private static func windows(_ g: ConvGeometry) -> (strides: [Int64], left: [Int64], right: [Int64]) {
        let bottom = max(0, (g.outHeight - 1) * g.stride + g.kernel - g.height - g.padTop)
        let right = max(0, (g.outWidth - 1) * g.stride + g.kernel - g.width - g.padLeft)
        return ([Int64(g.stride), Int64(g.stride)], [Int64(g.padTop), Int64(g.padLeft)], [Int64(bottom), Int64(right)])
    }

    /// oneDNN's tag for an activation layout.
    private static func tag(_ layout: TensorLayout) -> dnnl_format_tag_t {
        layout == .plain ? dnnl_nchw : dnnl_nChw16c
    }

    init(label: String, geometry: ConvGeometry, outChannels: Int, hasBias: Bool, images: Int,
         srcLayout: TensorLayout = .plain, dstLayout: TensorLayout = .plain,
         algorithm: OneDNNAlgorithm = .direct) throws {
        self.label = label
        self.algorithm = algorithm
        let srcTag = OneDNNConvolution.tag(srcLayout), dstTag = OneDNNConvolution.tag(dstLayout)
        self.srcTag = srcTag
        self.dstTag = dstTag
        self.geometry = geometry
        self.outChannels = outChannels
        self.hasBias = hasBias
        self.images = images
        let src = [images, geometry.channels, geometry.height, geometry.width]
        let wts = [outChannels, geometry.channels, geometry.kernel, geometry.kernel]
        let dst = [images, outChannels, geometry.outHeight, geometry.outWidth]
        var anySrc = try OneDNN.descriptor(src, dnnl_format_tag_any)
        var anyWeights = try OneDNN.descriptor(wts, dnnl_format_tag_any)
        var anyDst = try OneDNN.descriptor(dst, dnnl_format_tag_any)
        var biasMD = try OneDNN.descriptor([outChannels], dnnl_x)
        let (s, pl, pr) = OneDNNConvolution.windows(geometry)
        var desc = dnnl_convolution_desc_t()
        try OneDNN.check(hasBias
            ? dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training, algorithm.kind,
                                                 &anySrc, &anyWeights, &biasMD, &anyDst, s, pl, pr)
            : dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training, algorithm.kind,
                                                 &anySrc, &anyWeights, nil, &anyDst, s, pl, pr),
            "\(label): describing the forward convolution")
        var arguments = [(OneDNN.Argument.src, try OneDNN.descriptor(src, srcTag), false),
                         (OneDNN.Argument.weights, try OneDNN.descriptor(wts, dnnl_oihw), false)]
        if hasBias { arguments.append((OneDNN.Argument.bias, biasMD, false)) }
        arguments.append((OneDNN.Argument.dst, try OneDNN.descriptor(dst, dstTag), true))
        forwardPass = try withUnsafePointer(to: &desc) { d in
            try OneDNNPrimitive(label: "\(label) forward", descriptor: UnsafeRawPointer(d), arguments: arguments)
        }
    }

    /// The implementation oneDNN chose for the forward pass (e.g. "jit:avx2").
    var forwardImplementation: String { forwardPass.descriptor.implementation }

    /// `dst = conv(src, weights) + bias` for `images` images (bias nil when the layer has none).
    func forward(src: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                 dst: UnsafeMutablePointer<Float>) throws {
        var buffers = [UnsafeMutableRawPointer(mutating: src), UnsafeMutableRawPointer(mutating: weights)]
        if hasBias, let bias { buffers.append(UnsafeMutableRawPointer(mutating: bias)) }
        buffers.append(UnsafeMutableRawPointer(dst))
        try forwardPass.run(buffers)
    }

    /// `diffSrc = conv_backward_data(diffDst, weights)`; overwrites `diffSrc`.
    func backwardData(diffDst: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                      diffSrc: UnsafeMutablePointer<Float>) throws {
        try backwardDataPrimitive().run([UnsafeMutableRawPointer(mutating: diffDst),
                                         UnsafeMutableRawPointer(mutating: weights), UnsafeMutableRawPointer(diffSrc)])
    }

    /// `backwardWeights` then `backwardData` on the same output gradient, which is reordered
    /// into oneDNN's layout once for both when they want the same one (it was reordered twice:
    /// about 1 ms of a Conv-4 step at 126 images). `diffSrc` may be `src`: it is written last.
    func backwardWeightsAndData(src: UnsafePointer<Float>, diffDst: UnsafePointer<Float>,
                                weights: UnsafePointer<Float>, diffWeights: UnsafeMutablePointer<Float>,
                                diffSrc: UnsafeMutablePointer<Float>) throws {
        let weightsPass = try backwardWeightsPrimitive(), dataPass = try backwardDataPrimitive()
        let argument = OneDNN.Argument.diffDst
        guard var forWeights = weightsPass.innerLayout(of: argument), var forData = dataPass.innerLayout(of: argument),
              dnnl_memory_desc_equal(&forWeights.layout, &forData.layout) != 0 else {
            try backwardWeights(src: src, diffDst: diffDst, diffWeights: diffWeights)
            try backwardData(diffDst: diffDst, weights: weights, diffSrc: diffSrc)
            return
        }
        let formatted = UnsafeMutableRawPointer.allocate(byteCount: forWeights.bytes, alignment: 64)
        defer { formatted.deallocate() }
        try weightsPass.reorderInput(argument, from: UnsafeMutableRawPointer(mutating: diffDst), into: formatted)
        try weightsPass.run([UnsafeMutableRawPointer(mutating: src), UnsafeMutableRawPointer(mutating: diffDst),
                             UnsafeMutableRawPointer(diffWeights)], formatted: [argument: formatted])
        try dataPass.run([UnsafeMutableRawPointer(mutating: diffDst), UnsafeMutableRawPointer(mutating: weights),
                          UnsafeMutableRawPointer(diffSrc)], formatted: [argument: formatted])
    }

    /// The backward-data primitive, created on first use.
    private func backwardDataPrimitive() throws -> OneDNNPrimitive {
        if let backwardDataPass { return backwardDataPass }
        do {
            var anySrc = try OneDNN.descriptor(srcDims, dnnl_format_tag_any)
            var anyWeights = try OneDNN.descriptor(weightDims, dnnl_format_tag_any)
            var anyDst = try OneDNN.descriptor(dstDims, dnnl_format_tag_any)
            var desc = dnnl_convolution_desc_t()
            try OneDNN.check(dnnl_convolution_backward_data_desc_init(
                &desc, algorithm.kind, &anySrc, &anyWeights, &anyDst, strides, paddingLeft, paddingRight),
                "\(label): describing the backward-data convolution")
            let arguments = [(OneDNN.Argument.diffDst, try OneDNN.descriptor(dstDims, dstTag), false),
                             (OneDNN.Argument.weights, try OneDNN.descriptor(weightDims, dnnl_oihw), false),
                             (OneDNN.Argument.diffSrc, try OneDNN.descriptor(srcDims, srcTag), true)]
            let pass = try withUnsafePointer(to: &desc) { d in
                try OneDNNPrimitive(label: "\(label) backward-data", descriptor: UnsafeRawPointer(d),
                                    hint: forwardPass.descriptor, arguments: arguments)
            }
            backwardDataPass = pass
            return pass
        }
    }

    /// `diffWeights = Σ dy ⊗ x` over the images; overwrites `diffWeights`. (The bias gradient,
    /// a plain sum, stays with the layer.)
    func backwardWeights(src: UnsafePointer<Float>, diffDst: UnsafePointer<Float>,
                         diffWeights: UnsafeMutablePointer<Float>) throws {
        try backwardWeightsPrimitive().run([UnsafeMutableRawPointer(mutating: src),
                                            UnsafeMutableRawPointer(mutating: diffDst), UnsafeMutableRawPointer(diffWeights)])
    }

    /// The backward-weights primitive, created on first use.
    private func backwardWeightsPrimitive() throws -> OneDNNPrimitive {
        if let backwardWeightsPass { return backwardWeightsPass }
        do {
            var anySrc = try OneDNN.descriptor(srcDims, dnnl_format_tag_any)
            var anyWeights = try OneDNN.descriptor(weightDims, dnnl_format_tag_any)
            var anyDst = try OneDNN.descriptor(dstDims, dnnl_format_tag_any)
            var desc = dnnl_convolution_desc_t()
            try OneDNN.check(dnnl_convolution_backward_weights_desc_init(
                &desc, algorithm.kind, &anySrc, &anyWeights, nil, &anyDst, strides, paddingLeft, paddingRight),
                "\(label): describing the backward-weights convolution")
            let arguments = [(OneDNN.Argument.src, try OneDNN.descriptor(srcDims, srcTag), false),
                             (OneDNN.Argument.diffDst, try OneDNN.descriptor(dstDims, dstTag), false),
                             (OneDNN.Argument.diffWeights, try OneDNN.descriptor(weightDims, dnnl_oihw), true)]
            let pass = try withUnsafePointer(to: &desc) { d in
                try OneDNNPrimitive(label: "\(label) backward-weights", descriptor: UnsafeRawPointer(d),
                                    hint: forwardPass.descriptor, arguments: arguments)
            }
            backwardWeightsPass = pass
            return pass
        }
    }
}
