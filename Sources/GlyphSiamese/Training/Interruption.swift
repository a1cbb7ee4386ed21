#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

nonisolated(unsafe) private var interruptionRequested: sig_atomic_t = 0
nonisolated(unsafe) private var writingCheckpoint: sig_atomic_t = 0
nonisolated(unsafe) private var exitWhenWritten: sig_atomic_t = 0

/// Ctrl-C during training: the first press asks the trainer to stop after the current step and
/// save; the second press ends the process at once, except while a checkpoint is being
/// written: then it ends the process as soon as that write is complete, so a run always keeps
/// a checkpoint it can resume from (a write takes well under a second).
public enum Interruption {
    public static func install() {
        // A parent may have started us with SIGINT blocked (the mask survives exec): unblock it.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            if interruptionRequested != 0 {
                if writingCheckpoint != 0 { exitWhenWritten = 1 } else { _exit(130) }
            }
            interruptionRequested = 1
        }
    }

    public static var isRequested: Bool { interruptionRequested != 0 }
    public static func reset() { interruptionRequested = 0 }

    /// Runs `body` (a checkpoint write) with an immediate exit on a second Ctrl-C deferred
    /// until it returns.
    public static func whileWriting<T>(_ body: () throws -> T) rethrows -> T {
        writingCheckpoint = 1
        defer {
            writingCheckpoint = 0
            if exitWhenWritten != 0 { _exit(130) }
        }
        return try body()
    }
}
