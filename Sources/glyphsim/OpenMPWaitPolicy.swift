import Foundation

/// Makes oneDNN's OpenMP threads sleep, not spin, between convolutions.
///
/// libgomp reads `OMP_WAIT_POLICY` once, when it is loaded, before `main` runs. Its default lets
/// idle OpenMP threads spin and `sched_yield` after each oneDNN call, taking the cores that the
/// engine's own thread pool needs for batch norm, pooling and the loss (a profile of Conv-4
/// training showed about 15% of the time there). Measured with `glyphsim bench --model conv4-28
/// --mode triplet --images 255`, alternated: 1284 and 1540 img/s by default, 1571 and 1585 with
/// PASSIVE; Koch training unchanged (31.3 / 30.3 -> 31.6 / 30.6). So the command re-executes
/// itself once with PASSIVE, unless the user has chosen a policy.
enum OpenMPWaitPolicy {
    static func ensurePassive() {
        guard getenv("OMP_WAIT_POLICY") == nil else { return }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed (no /proc): carry on with the default policy.
    }
}
