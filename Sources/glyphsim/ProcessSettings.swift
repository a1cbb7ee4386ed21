import Foundation
import GlyphEngine

/// The program's process-wide settings from its environment, read here once at start-up and
/// handed to the libraries explicitly (the libraries read no environment variable):
///
/// - `OMP_WAIT_POLICY`, `GOMP_SPINCOUNT`: when neither is set, the program re-executes itself
///   once with a short spin (`ProcessTuning.openMPWaitPolicy`);
/// - `GLYPHSIM_THREADS`: compute threads when a command gets no `--threads`;
/// - `GLYPHSIM_CONV_BACKEND=im2col|onednn`, `GLYPHSIM_CONV_ALGORITHM=direct|winograd|auto`:
///   force one convolution path for every layer (reference runs, benchmarks);
/// - `GLYPHSIM_DATA`: the data folder when a command gets no `--data` (`DataLocation`).
enum ProcessSettings {
    static let environment = ProcessInfo.processInfo.environment

    /// Re-executes the program once with the OpenMP wait policy set, then tunes the process
    /// (`ProcessTuning`) and the convolution backends.
    static func apply() {
        ProcessTuning.relaunchWithOpenMPWaitPolicy(environment: environment)
        let threads = environment["GLYPHSIM_THREADS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        ProcessTuning.apply(threads: threads.map { min($0, 4 * ProcessInfo.processInfo.activeProcessorCount) })
        ConvolutionBackend.override = environment["GLYPHSIM_CONV_BACKEND"].flatMap { ConvolutionBackend(rawValue: $0.lowercased()) }
        OneDNNAlgorithm.override = environment["GLYPHSIM_CONV_ALGORITHM"].flatMap { OneDNNAlgorithm(rawValue: $0.lowercased()) }
    }
}
