#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

nonisolated(unsafe) private var interruptionRequested: sig_atomic_t = 0

/// Ctrl-C during training: the first press asks the trainer to stop after the current step and
/// save; the second press ends the process at once.
public enum Interruption {
    public static func install() {
        // A parent may have started us with SIGINT blocked (the mask survives exec): unblock it.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            if interruptionRequested != 0 { _exit(130) }
            interruptionRequested = 1
        }
    }

    public static var isRequested: Bool { interruptionRequested != 0 }
    public static func reset() { interruptionRequested = 0 }
}
