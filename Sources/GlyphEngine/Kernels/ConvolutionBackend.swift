import Foundation

/// How `Conv2D` computes: lowering to matrix products (im2col + sgemm, the portable
/// reference), oneDNN's convolution kernels (faster on large layers), or products in the
/// frequency domain (`FFTConvolution`, stride 1).
///
/// Each layer picks its default from its shape (`preferred(for:)`); `override`, when a program
/// sets it (the CLI from `GLYPHSIM_CONV_BACKEND=im2col|onednn|fft`), applies to every new layer.
public enum ConvolutionBackend: String, Sendable, CaseIterable {
    case im2col
    case onednn
    /// Frequency-domain products through FFTW (`FFTConvolution`): stride 1; less arithmetic
    /// than direct convolution for large kernels on large maps.
    case fft

    /// The backend every new layer uses instead of its preferred one (nil: none). Set once at
    /// start-up, before layers are built.
    nonisolated(unsafe) public static var override: ConvolutionBackend?

    /// The backend that measured faster for a layer of this shape: oneDNN, except FFT for large kernels over many input channels (Koch's second layer, 64 -> 128 at 7x7):
    /// per frequency a matrix product over channels replaces `k²` products per output. With one
    /// input channel (Koch's first layer) the transforms cost more than oneDNN's direct kernel,
    /// and for 4x4 and smaller kernels the two are level (docs/performance.md).
    static func preferred(inChannels: Int, outChannels: Int, kernelSize: Int) -> ConvolutionBackend {
        kernelSize >= 5 && inChannels >= 16 ? .fft : .onednn
    }

    /// Whether oneDNN's backward-data beats lowering: not with few input channels, which its
    /// kernels pad to 16 (for a one-channel first layer, 16 times the work).
    static func prefersOneDNNInputGradient(inChannels: Int) -> Bool {
        inChannels >= 8
    }

    /// Whether oneDNN's backward-weights beat lowering + sgemm for this shape: they did for
    /// every layer oneDNN computes the input gradient of (docs/performance.md).
    static func prefersOneDNNWeightGradient(inChannels: Int, outChannels: Int, kernelSize: Int) -> Bool {
        true
    }
}
