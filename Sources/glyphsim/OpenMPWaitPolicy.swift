import Foundation

/// Makes an idle OpenMP thread spin only briefly (`GOMP_SPINCOUNT=10000`) before it sleeps,
/// unless the user chose a policy or a spin count.
///
/// libgomp reads these variables once, when it is loaded, before `main` runs, so the command
/// re-executes itself once with them set. The engine has one pool (oneDNN's kernels, its sgemm
/// and `parallelFor` all run on libgomp's threads), and a training step starts hundreds of
/// parallel regions: a thread that spins a little is there at once for the next one, a
/// sleeping one must be woken, and a thread that spins long (libgomp's default, 300,000 turns)
/// takes the core from whatever else runs. Measured on Conv-4@28 training at 126-128 images,
/// alternated three times on a quiet machine (triplet / contrastive img/s): sleeping at once
/// (`OMP_WAIT_POLICY=PASSIVE`, the previous setting) 1778 1812 1728 / 1823 1889 1783; spin 10,000
/// 1744 1803 1860 / 1908 1972 2322; libgomp's default 1820 2161 1784 / 1903 2000 2245. Beside two
/// busy loops (triplet): passive 1016 852, spin 10,000 900 888, default 626 288.
enum OpenMPWaitPolicy {
    static func applyShortSpin() {
        guard getenv("OMP_WAIT_POLICY") == nil, getenv("GOMP_SPINCOUNT") == nil else { return }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1)
        setenv("GOMP_SPINCOUNT", "10000", 1)  // an explicit spin count overrides PASSIVE's zero
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed (no /proc): carry on with libgomp's defaults.
    }
}
