import Foundation

/// How `Conv2D` computes: lowering to matrix products (im2col + sgemm, the portable
/// reference) or oneDNN's convolution kernels (faster on every layer of the presets; see
/// docs/engine.md).
///
/// Each layer picks its default from its shape (`preferred(for:)`); `override`, when a program
/// sets it (the CLI from `GLYPHSIM_CONV_BACKEND=im2col|onednn`), applies to every new layer.
public enum ConvolutionBackend: String, Sendable, CaseIterable {
    case im2col
    case onednn

    /// The backend every new layer uses instead of its preferred one (nil: none). Set once at
    /// start-up, before layers are built.
    nonisolated(unsafe) public static var override: ConvolutionBackend?

    /// The backend that measured faster for a layer of this shape: oneDNN for every layer of
    /// Koch's tower and of Conv-4@28 (forward; training with the rules below).
    static func preferred(inChannels: Int, outChannels: Int, kernelSize: Int) -> ConvolutionBackend {
        .onednn
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
