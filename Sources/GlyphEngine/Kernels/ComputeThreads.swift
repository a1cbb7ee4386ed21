import CBLAS
import CDNNL
import Dispatch
import Foundation

/// How many threads the engine computes with: one setting for OpenBLAS's pool, oneDNN's
/// OpenMP pool and the engine's own loops, so that two pools never fight over the cores.
///
/// Chosen in this order: `ComputeThreads.set(_:)` (the CLI's `--threads`), the environment
/// variable `GLYPHSIM_THREADS`, then every core the machine has.
public enum ComputeThreads {
    nonisolated(unsafe) private static var current: Int = {
        _ = AllocatorTuning.applied
        let n = defaultCount()
        openblas_set_num_threads(Int32(n))
        omp_set_num_threads(Int32(n))
        return n
    }()

    public static var count: Int { current }

    public static func defaultCount() -> Int {
        if let text = ProcessInfo.processInfo.environment["GLYPHSIM_THREADS"], let n = Int(text), n > 0 {
            return n
        }
        return ProcessInfo.processInfo.activeProcessorCount
    }

    /// Sets the thread count for OpenBLAS and the engine's own parallel loops.
    public static func set(_ n: Int) {
        precondition(n > 0, "thread count must be positive")
        current = n
        openblas_set_num_threads(Int32(n))
        omp_set_num_threads(Int32(n))  // oneDNN's OpenMP pool (also set per call, see OneDNN)
    }
}

/// Runs `body(i)` for `i` in `0..<iterations`, spread over `ComputeThreads.count` threads.
/// Iterations are grouped into one contiguous chunk per thread, so per-call overhead stays
/// small. `body` must be safe to run concurrently for different `i`.
@inlinable
public func parallelFor(_ iterations: Int, _ body: (Int) -> Void) {
    let threads = min(ComputeThreads.count, iterations)
    if threads <= 1 {
        for i in 0..<iterations { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let start = iterations * t / threads
            let end = iterations * (t + 1) / threads
            for i in start..<end { work(i) }
        }
    }
}
