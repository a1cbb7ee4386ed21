/// The FFT path of `Conv2D` (backend `.fft`, stride 1): the layer's tensors handed to
/// `FFTConvolution`, which keeps the weights' and the input's spectra from forward to backward.
/// Tensors stay in plain NCHW order on this path.
extension Conv2D {
    /// Whether this layer computes on the FFT path for `g`: the backend asks for it and the
    /// stride is 1 (the only stride a frequency-domain product computes directly).
    func usesFFT(_ g: ConvGeometry) -> Bool { backend == .fft && g.stride == 1 }

    /// The FFT kernel for `g`, made on first use and again when the input size changes.
    private func fftKernel(for g: ConvGeometry) -> FFTConvolution {
        if let kernel = fftConvolution, kernel.geometry == g { return kernel }
        let kernel = FFTConvolution(geometry: g, outChannels: outChannels)
        fftConvolution = kernel
        return kernel
    }

    func fftForward(_ input: Tensor, geometry g: ConvGeometry, training: Bool) -> Tensor {
        let input = input.inLayout(.plain), n = input.shape[0]
        cachedInput = training ? input : nil
        producedLayout = .plain
        let kernel = fftKernel(for: g)
        let zeroBias = bias == nil ? [Float](repeating: 0, count: outChannels) : []
        return Tensor(shape: [n, outChannels, g.outHeight, g.outWidth]) { out in
            input.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { w in
            (bias?.value.scalars ?? zeroBias).withUnsafeBufferPointer { b in
                kernel.forward(x: x.baseAddress!, weights: w.baseAddress!, bias: b.baseAddress!, images: n,
                               training: training, into: out.baseAddress!)
            }}}
        }
    }

    /// Adds the weight and bias gradients; returns the input gradient when `inputGradient`.
    func fftBackward(_ outputGradient: Tensor, input: Tensor, geometry g: ConvGeometry,
                     inputGradient: Bool) -> Tensor? {
        let n = input.shape[0], kernel = fftKernel(for: g)
        let dy = outputGradient.inLayout(.plain)
        var dx: Tensor? = inputGradient ? Tensor(zeros: input.shape) : nil
        dy.withUnsafeBufferPointer { dyp in
        weight.gradient.withUnsafeMutableBufferPointer { dw in
            if dx != nil {
                dx!.withUnsafeMutableBufferPointer { dxp in
                    kernel.backward(dy: dyp.baseAddress!, images: n, weightGradient: dw.baseAddress!,
                                    inputGradient: dxp.baseAddress!)
                }
            } else {
                kernel.backward(dy: dyp.baseAddress!, images: n, weightGradient: dw.baseAddress!, inputGradient: nil)
            }
        }}
        accumulateBiasGradient(dy, images: n, positions: g.positions)
        return dx
    }
}
