import Foundation
import GlyphEngine

/// The index file format, version 1 (all integers little-endian):
///
/// ```
/// offset  size              field
/// 0       8                 magic "GLYPHIDX"
/// 8       4                 format version (UInt32) = 1
/// 12      4                 reserved, 0
/// 16      8                 count: entries (UInt64)
/// 24      8                 dimension: floats per embedding (UInt64)
/// 32      8                 M: bytes of the metadata (UInt64)
/// 40      8                 N: bytes of the names (UInt64)
/// 48      M                 metadata: UTF-8 JSON (IndexMetadata: model fingerprint, preprocessing, approximate index)
/// 48+M    count*dim*4       embeddings: float32, row-major
/// ...     N                 names: for each entry `path NUL label NUL group NUL` (UTF-8; empty = none)
/// end-4   4                 CRC-32 (zlib) of every byte before it
/// ```
///
/// The reader checks the magic, the version, that the sizes add up to the file's real size
/// (before allocating anything), the checksum, and then the content (finite values, three
/// names per entry), so a truncated, corrupt or foreign file is refused with a line naming it.
public enum IndexFile {
    public static let magic = Array("GLYPHIDX".utf8)
    public static let version: UInt32 = 1
    static let headerSize = 48
    /// Far above any real model; it keeps a corrupt header from asking for absurd sizes.
    public static let maxDimension = 1 << 16

    // MARK: Reading

    /// Reads the index file at `url` (memory-mapped while it is checked and copied).
    public static func read(from url: URL) throws -> EmbeddingIndex {
        let file = url.path
        guard FileManager.default.fileExists(atPath: file) else { throw IndexError.unreadable(file: file, reason: "no such file") }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw IndexError.unreadable(file: file, reason: "cannot be opened (\(error.localizedDescription))")
        }
        return try read(data, file: file)
    }

    /// Parses index bytes; `file` names them in errors. The entry point the fuzzer drives: any
    /// input gives an index or an `IndexError`, never a crash.
    public static func read(_ data: Data, file: String) throws -> EmbeddingIndex {
        func bad(_ reason: String) -> IndexError { .unreadable(file: file, reason: reason) }
        let size = data.count
        guard size >= 12 else { throw bad("\(size) bytes is too short for an index (truncated?)") }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> EmbeddingIndex in
            guard Array(raw[0..<8]) == magic else { throw bad("not a GlyphSim index (no GLYPHIDX magic)") }
            let found = raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
            guard found == version else { throw IndexError.unsupportedVersion(file: file, found: found, supported: version) }
            guard size >= headerSize + 4 else { throw bad("\(size) bytes is too short for the header (truncated)") }
            func u64(_ offset: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian }
            let count64 = u64(16), dimension64 = u64(24), metadataBytes64 = u64(32), namesBytes64 = u64(40)
            guard dimension64 >= 1, dimension64 <= UInt64(maxDimension) else { throw bad("embedding dimension \(dimension64) is out of range") }
            // Every size is checked against the file's real size before anything is allocated.
            let limit = UInt64(size)
            guard count64 <= limit, metadataBytes64 <= limit, namesBytes64 <= limit else {
                throw bad("its header promises more than its \(size) bytes (truncated or corrupt)")
            }
            let count = Int(count64), dimension = Int(dimension64)
            let metadataBytes = Int(metadataBytes64), namesBytes = Int(namesBytes64)
            let (values, o1) = count.multipliedReportingOverflow(by: dimension)
            let (embeddingBytes, o2) = values.multipliedReportingOverflow(by: 4)
            guard !o1, !o2 else { throw bad("its header promises more than its \(size) bytes (corrupt)") }
            let expected = headerSize + metadataBytes + embeddingBytes + namesBytes + 4
            guard embeddingBytes <= size, expected == size else {
                throw bad(expected > size
                          ? "its header promises \(expected) bytes but the file has \(size) (truncated)"
                          : "its header promises \(expected) bytes but the file has \(size) (trailing bytes or corrupt)")
            }
            let stored = raw.loadUnaligned(fromByteOffset: size - 4, as: UInt32.self).littleEndian
            let computed = CRC32.of(UnsafeRawBufferPointer(rebasing: raw[0..<(size - 4)]))
            guard stored == computed else {
                throw bad(String(format: "checksum mismatch (stored %08x, computed %08x): the file is corrupt", stored, computed))
            }

            let metadataStart = headerSize
            let metadata: IndexMetadata
            do {
                metadata = try JSONDecoder().decode(IndexMetadata.self, from: Data(raw[metadataStart..<(metadataStart + metadataBytes)]))
            } catch {
                throw bad("its metadata is not valid (\(error))")
            }

            let embeddingStart = metadataStart + metadataBytes
            var embeddings = [Float](repeating: 0, count: values)
            embeddings.withUnsafeMutableBytes { destination in
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[embeddingStart..<(embeddingStart + embeddingBytes)]))
            }
            #if _endian(big)
            for i in embeddings.indices { embeddings[i] = Float(bitPattern: UInt32(littleEndian: embeddings[i].bitPattern)) }
            #endif
            if let bad = embeddings.firstIndex(where: { !$0.isFinite }) {
                throw IndexError.unreadable(file: file, reason: "embedding \(bad / dimension) holds a value that is not finite")
            }

            let namesStart = embeddingStart + embeddingBytes
            let entries = try parseNames(UnsafeRawBufferPointer(rebasing: raw[namesStart..<(namesStart + namesBytes)]),
                                         count: count, file: file)
            do {
                return try EmbeddingIndex(metadata: metadata, dimension: dimension, entries: entries, embeddings: embeddings)
            } catch {
                throw bad("\(error)")
            }
        }
    }

    static func parseNames(_ bytes: UnsafeRawBufferPointer, count: Int, file: String) throws -> [IndexEntry] {
        func bad(_ reason: String) -> IndexError { .unreadable(file: file, reason: reason) }
        var fields = [String]()
        fields.reserveCapacity(min(3 * count, bytes.count))
        var start = 0
        for i in 0..<bytes.count where bytes[i] == 0 {
            guard fields.count < 3 * count else { throw bad("its names section holds more than \(count) entries") }
            guard let text = String(bytes: bytes[start..<i], encoding: .utf8) else {
                throw bad("name \(fields.count / 3) is not valid UTF-8")
            }
            fields.append(text)
            start = i + 1
        }
        guard start == bytes.count, fields.count == 3 * count else {
            throw bad("its names section holds \(fields.count / 3) complete entries, the header says \(count)")
        }
        var entries = [IndexEntry]()
        entries.reserveCapacity(count)
        for e in 0..<count {
            let path = fields[3 * e]
            guard !path.isEmpty else { throw bad("entry \(e) has an empty file path") }
            let label = fields[3 * e + 1], group = fields[3 * e + 2]
            entries.append(IndexEntry(path: path, label: label.isEmpty ? nil : label, group: group.isEmpty ? nil : group))
        }
        return entries
    }

    // MARK: Writing

    /// Writes `index` to `url` atomically (temporary file, fsync, rename).
    public static func write(_ index: EmbeddingIndex, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let metadata = try encoder.encode(index.metadata)
        var names = [UInt8]()
        for entry in index.entries {
            for field in [entry.path, entry.label ?? "", entry.group ?? ""] {
                guard !field.utf8.contains(0) else {
                    throw IndexError.writeFailed(file: url.path, reason: "entry \(entry.path) has a NUL byte in a name")
                }
                names += Array(field.utf8)
                names.append(0)
            }
        }
        var header = [UInt8]()
        header += magic
        func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { header += $0 } }
        append(version)
        append(UInt32(0))
        append(UInt64(index.count))
        append(UInt64(index.dimension))
        append(UInt64(metadata.count))
        append(UInt64(names.count))
        #if _endian(big)
        let embeddings = index.embeddings.map { Float(bitPattern: $0.bitPattern.littleEndian) }
        #else
        let embeddings = index.embeddings
        #endif
        do {
            try AtomicFileWriter.write(to: url) { sink in
                var crc = CRC32()
                func emit(_ bytes: UnsafeRawBufferPointer) throws {
                    crc.update(bytes)
                    try sink(bytes)
                }
                try header.withUnsafeBytes(emit)
                try metadata.withUnsafeBytes(emit)
                try embeddings.withUnsafeBytes(emit)
                try names.withUnsafeBytes(emit)
                let sum = crc.value.littleEndian
                try withUnsafeBytes(of: sum) { try sink($0) }
            }
        } catch let error as EngineError {
            throw IndexError.writeFailed(file: url.path, reason: "\(error)")
        }
    }
}
