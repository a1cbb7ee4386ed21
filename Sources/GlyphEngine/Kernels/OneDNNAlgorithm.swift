import CDNNL
import Foundation

/// Which of oneDNN's convolution algorithms a layer asks for.
///
/// Winograd's F(4x4, 3x3) transforms trade multiplications for additions, which makes Conv-4's
/// 3x3 layers faster (docs/performance.md); its rounding differs from direct convolution's at
/// the 1e-6 level (the tests bound it).
///
/// `override` (the CLI sets it from `GLYPHSIM_CONV_ALGORITHM=direct|winograd|auto`) replaces the default for every layer
/// (benchmarks, tests).
public enum OneDNNAlgorithm: String, Sendable, CaseIterable {
    /// Direct convolution: every shape.
    case direct
    /// Winograd F(4x4, 3x3): 3x3 kernels at stride 1 only; creating it for another shape fails.
    case winograd
    /// oneDNN chooses: Winograd where it judges it faster (3x3, stride 1), direct elsewhere.
    case automatic = "auto"

    /// The algorithm every new layer asks for instead of `automatic` (nil: none). Set once at
    /// start-up, before layers are built (the CLI from `GLYPHSIM_CONV_ALGORITHM`).
    nonisolated(unsafe) public static var override: OneDNNAlgorithm?

    /// What a new layer asks for: the override, else `automatic`.
    static var preferred: OneDNNAlgorithm { override ?? .automatic }

    /// oneDNN's name for it.
    var kind: dnnl_alg_kind_t {
        switch self {
        case .direct: dnnl_convolution_direct
        case .winograd: dnnl_convolution_winograd
        case .automatic: dnnl_convolution_auto
        }
    }
}
