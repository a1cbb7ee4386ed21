import CPNG
import Foundation
import ZIPFoundation

/// Read-only access to the files of a zip archive, with every failure turned into a
/// `DataError` that names the archive and the member. ZIPFoundation does the inflating.
struct ZipSource {
    let archive: Archive
    /// The archive's path, for error messages.
    let file: String

    init(url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DataError.missingFile(url.path) }
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw DataError.corruptZip(file: url.path, reason: "cannot open (\(error))")
        }
        file = url.path
    }

    init(data: Data, name: String) throws {
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw DataError.corruptZip(file: name, reason: "cannot open (\(error))")
        }
        file = name
    }

    /// Paths of the regular files in the archive, in archive order.
    var filePaths: [String] { archive.compactMap { $0.type == .file ? $0.path : nil } }

    /// The regular files of the archive with their paths, in archive order. Reading them through
    /// these entries avoids `archive[path]`, which scans the whole directory each time.
    var fileEntries: [Entry] { archive.filter { $0.type == .file } }

    /// The whole content of one member. A member that inflates to a size other than the
    /// one its header claims, or whose checksum fails, is reported as corrupt.
    func read(_ path: String, verifyChecksum: Bool = true) throws -> Data {
        guard let entry = archive[path] else {
            throw DataError.corruptZip(file: file, reason: "no member \(path)")
        }
        return try read(entry, verifyChecksum: verifyChecksum)
    }

    func read(_ entry: Entry, verifyChecksum: Bool = true) throws -> Data {
        let path = entry.path
        let claimed = Int(clamping: entry.uncompressedSize)
        var out = Data()
        out.reserveCapacity(min(claimed, 1 << 30))
        // ZIPFoundation's own CRC-32 is a byte-at-a-time Swift loop on Linux (most of the time of
        // loading the npz); zlib's is many times faster, so the checksum is computed here.
        var crc = crc32(0, nil, 0)
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: true) { chunk in
                if verifyChecksum {
                    crc = chunk.withUnsafeBytes { raw in
                        crc32(crc, raw.baseAddress?.assumingMemoryBound(to: UInt8.self), uInt(raw.count))
                    }
                }
                out.append(chunk)
            }
        } catch {
            throw DataError.corruptZip(file: file, reason: "member \(path) cannot be read (\(error))")
        }
        if verifyChecksum, UInt32(truncatingIfNeeded: crc) != entry.checksum {
            throw DataError.corruptZip(file: file, reason: "member \(path) fails its CRC-32 check")
        }
        guard out.count == claimed else {
            throw DataError.corruptZip(file: file, reason: "member \(path) holds \(out.count) bytes, header says \(claimed)")
        }
        return out
    }
}
