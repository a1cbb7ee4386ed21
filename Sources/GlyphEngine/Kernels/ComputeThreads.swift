import CDNNL
import Foundation

/// How many threads the engine computes with: the size of the one OpenMP (libgomp) pool that
/// oneDNN's convolutions and matrix products and the engine's own loops (`parallelFor`) share.
///
/// Every core the machine has, unless the program calls `ComputeThreads.set(_:)` (the CLI does,
/// through `ProcessTuning.apply(threads:)`, from `--threads` or `$GLYPHSIM_THREADS`). The
/// library reads no environment variable and sets nothing by itself.
public enum ComputeThreads {
    nonisolated(unsafe) private static var current: Int = defaultCount()

    public static var count: Int { current }

    public static func defaultCount() -> Int {
        ProcessInfo.processInfo.activeProcessorCount
    }

    /// Sets the thread count of the OpenMP pool.
    public static func set(_ n: Int) {
        precondition(n > 0, "thread count must be positive")
        current = n
        omp_set_num_threads(Int32(n))  // the calling thread's regions (oneDNN also sets it per call, see OneDNN)
    }
}
