import Foundation
#if canImport(CMalloc)
import CMalloc
#endif

/// The process-wide settings the engine runs fastest with: the allocator's, the compute thread
/// count, and the OpenMP wait policy. They belong to the program, not to a layer: nothing in
/// the libraries applies them, a program calls `apply(threads:)` (and, if it wants the wait
/// policy, `relaunchWithOpenMPWaitPolicy(environment:)`) once at start. The `glyphsim` command
/// does both; a library user may too. Without them the engine computes the same values.
public enum ProcessTuning {
    /// Tunes the allocator (`tuneAllocator`) and sets the compute thread count (every core when nil).
    public static func apply(threads: Int? = nil) {
        tuneAllocator()
        ComputeThreads.set(threads ?? ComputeThreads.defaultCount())
    }

    /// Keeps freed memory for reuse instead of returning it to the system.
    ///
    /// A training step allocates and frees the same large activation buffers every step. By
    /// default glibc serves blocks over 32 MB with fresh `mmap`s and unmaps them on `free`, so
    /// every step pays for page faults on memory it just gave back (docs/performance.md has the
    /// measurement). Serving everything from the heap and never trimming it lets the next step
    /// reuse the last step's pages.
    public static func tuneAllocator() {
        #if canImport(CMalloc)
        mallopt(M_MMAP_MAX, 0)
        mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }

    /// The OpenMP variables that make an idle thread spin only briefly before it sleeps
    /// (`GOMP_SPINCOUNT=10000`), or none when `environment` already chooses a policy or a spin
    /// count.
    ///
    /// The engine has one thread pool (oneDNN, its sgemm and `parallelFor` all run on libgomp's
    /// threads) and a training step starts hundreds of parallel regions: a thread that spins a
    /// little is there at once for the next one, a sleeping one must be woken, and one that
    /// spins long (libgomp's default) takes the core from whatever else runs on the machine.
    public static func openMPWaitPolicy(environment: [String: String]) -> [String: String] {
        guard environment["OMP_WAIT_POLICY"] == nil, environment["GOMP_SPINCOUNT"] == nil else { return [:] }
        // An explicit spin count overrides PASSIVE's zero.
        return ["OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "10000"]
    }

    /// Sets `openMPWaitPolicy(environment:)`'s variables and re-executes the program with them
    /// (libgomp reads them once, when it is loaded, before `main` runs); returns at once when
    /// there is nothing to set, and carries on with libgomp's defaults when the re-execution
    /// fails (no /proc).
    public static func relaunchWithOpenMPWaitPolicy(environment: [String: String]) {
        let variables = openMPWaitPolicy(environment: environment)
        guard !variables.isEmpty else { return }
        for (name, value) in variables { setenv(name, value, 1) }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
    }
}
