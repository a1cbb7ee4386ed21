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
public enum AtomicFileWriter {
    /// Appends bytes to the file being written; throws on a failed write.
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { sink in try data.withUnsafeBytes { try sink($0) } }
    }

    public static func write(to url: URL, _ produce: (Sink) throws -> Void) throws {
        let target = url.path
        let folder = url.deletingLastPathComponent().path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
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
            guard rename(temporary, target) == 0 else { throw failure("cannot rename the temporary file over it") }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable; failing here cannot leave a partial file, so it is not an error.
        let dir = open(folder, O_RDONLY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }
}
