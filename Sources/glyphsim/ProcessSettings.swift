import Foundation
import GlyphEngine

/// The program's process-wide settings from its environment, read here once at start-up and
/// handed to the libraries explicitly (the libraries read no environment variable):
///
/// - `GLYPHSIM_THREADS`: compute threads when a command gets no `--threads`;
/// - `GLYPHSIM_CONV_BACKEND=im2col|onednn`, `GLYPHSIM_CONV_ALGORITHM=direct|winograd|auto`:
///   force one convolution path for every layer (reference runs, benchmarks);
/// - `GLYPHSIM_DATA`: the data folder when a command gets no `--data` (`DataLocation`).
enum ProcessSettings {
    static let environment = ProcessInfo.processInfo.environment

    static func apply() {
        if let text = environment["GLYPHSIM_THREADS"], let n = Int(text), n > 0 {
            ComputeThreads.set(min(n, 4 * ProcessInfo.processInfo.activeProcessorCount))
        }
        ConvolutionBackend.override = environment["GLYPHSIM_CONV_BACKEND"].flatMap { ConvolutionBackend(rawValue: $0.lowercased()) }
        OneDNNAlgorithm.override = environment["GLYPHSIM_CONV_ALGORITHM"].flatMap { OneDNNAlgorithm(rawValue: $0.lowercased()) }
    }
}
