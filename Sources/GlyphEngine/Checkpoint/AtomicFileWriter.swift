import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old file or the complete new one: the
/// bytes go to a temporary file beside the target (same folder, so the same file system),
/// are flushed with fsync, and the temporary file is renamed over the target. On any error
/// the temporary file is removed.
///
/// Temporary names are short and recognizable, `.glyphsim-tmp-<pid>-<random>`, independent
/// of the target's name: a valid 240-character final name still fits the file system's
/// 255-byte limit, and a process killed mid-write leaves a file that the next write into the
/// same folder removes (`removeStaleTemporaries`), once no live process owns it.
public enum AtomicFileWriter {
    /// The start of every temporary file's name.
    public static let temporaryPrefix = ".glyphsim-tmp-"

    /// Appends bytes to the file being written; throws on a failed write.
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { sink in try data.withUnsafeBytes { try sink($0) } }
    }

    public static func write(to url: URL, _ produce: (Sink) throws -> Void) throws {
        removeStaleTemporaries(in: url.deletingLastPathComponent())
        let temporary = try writeTemporary(for: url, produce)
        try commit([(temporary, url)])
    }

    /// Writes several files all-or-nothing: every file is first written completely to its own
    /// temporary file; only when all of them succeeded are they renamed into place. A failure
    /// while writing leaves none of the new files (and the old ones untouched).
    public static func writeAll(_ files: [(data: Data, url: URL)]) throws {
        var written = [(temporary: String, url: URL)]()
        do {
            for file in files {
                removeStaleTemporaries(in: file.url.deletingLastPathComponent())
                let temporary = try writeTemporary(for: file.url) { sink in try file.data.withUnsafeBytes { try sink($0) } }
                written.append((temporary, file.url))
            }
        } catch {
            for w in written { unlink(w.temporary) }
            throw error
        }
        try commit(written)
    }

    /// A temporary name beside `url`: this process's id, so a stale file can be told from a
    /// live one, and 12 random hex digits.
    static func temporaryURL(for url: URL) -> URL {
        let random = String(UInt64.random(in: 0 ..< 1 << 48), radix: 16)
        return url.deletingLastPathComponent().appendingPathComponent("\(temporaryPrefix)\(getpid())-\(random)")
    }

    /// Removes temporary files of ours in `folder` whose process no longer runs (killed, or
    /// stopped by a second Ctrl-C, in the middle of a write). Errors are ignored: cleaning is
    /// a courtesy, never a reason to fail a write.
    public static func removeStaleTemporaries(in folder: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(temporaryPrefix) {
            let rest = name.dropFirst(temporaryPrefix.count)
            guard let pidText = rest.split(separator: "-").first, let pid = pid_t(pidText) else { continue }
            if pid == getpid() { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }  // still running (or another user's)
            unlink(folder.appendingPathComponent(name).path)
        }
    }

    /// Renames each temporary over its target, then makes the renames durable. A failed rename
    /// removes every temporary not yet renamed and the new files already renamed, so a set of
    /// files is never left half-written (one file without the other).
    static func commit(_ files: [(temporary: String, url: URL)]) throws {
        for (i, file) in files.enumerated() {
            guard rename(file.temporary, file.url.path) == 0 else {
                let reason = String(cString: strerror(errno))
                for rest in files[i...] { unlink(rest.temporary) }
                for done in files[..<i] { unlink(done.url.path) }
                throw EngineError.writeFailed(file: file.url.path, reason: "cannot rename the temporary file over it: \(reason)")
            }
        }
        // Make the renames durable; failing here cannot leave a partial file, so it is not an error.
        for folder in Set(files.map { $0.url.deletingLastPathComponent().path }) {
            let dir = open(folder, O_RDONLY | O_CLOEXEC)
            if dir >= 0 {
                fsync(dir)
                close(dir)
            }
        }
    }

    /// Writes the bytes `produce` gives to a new temporary file beside `url`, flushed to disk;
    /// returns its path. On any error the temporary file is removed.
    static func writeTemporary(for url: URL, _ produce: (Sink) throws -> Void) throws -> String {
        let target = url.path
        let folder = url.deletingLastPathComponent().path
        let temporary = temporaryURL(for: url).path
        func failure(_ what: String) -> EngineError {
            .writeFailed(file: target, reason: "\(what): \(String(cString: strerror(errno)))")
        }

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create a temporary file in \(folder)") }
        var closed = false
        do {
            try produce { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw failure("write failed")
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw failure("fsync failed") }
            closed = true
            guard close(fd) == 0 else { throw failure("close failed") }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            throw error
        }
        return temporary
    }
}
