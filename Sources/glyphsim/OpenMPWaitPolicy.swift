import Foundation

/// Makes idle OpenMP threads sleep at once instead of spinning, unless the user chose a policy.
///
/// libgomp reads `OMP_WAIT_POLICY` once, when it is loaded, before `main` runs, so the command
/// re-executes itself once with `PASSIVE` set. By default an idle OpenMP thread spins (and
/// yields) for a while after every parallel region; the engine now has one pool (oneDNN's
/// kernels, its sgemm and `parallelFor` all run on libgomp's threads), so no second pool suffers
/// from it, and on a quiet machine the two policies measured the same within noise (Conv-4@28
/// triplet training at 126 images, alternated three times: 2370 / 2241 / 1839 img/s passive,
/// 2309 / 2338 / 2316 spinning; Koch training 33.0 / 33.4 against 32.7 / 32.4). But on a
/// machine with other work the spinning threads fight it for the cores: with a build running
/// beside it, 416-477 img/s passive against 120-180 spinning. Passive it stays.
enum OpenMPWaitPolicy {
    static func ensurePassive() {
        guard getenv("OMP_WAIT_POLICY") == nil else { return }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed (no /proc): carry on with the default policy.
    }
}
