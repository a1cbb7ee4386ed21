import CPNG
import Foundation

/// One member of a zip archive, as its central directory describes it.
struct ZipEntry: Sendable {
    var path: String
    /// 0 = stored, 8 = deflated; anything else is refused when read.
    var method: UInt16
    var crc32: UInt32
    var compressedSize: Int
    var uncompressedSize: Int
    var localHeaderOffset: Int
    var isDirectory: Bool { path.hasSuffix("/") }
}

/// Read-only access to the files of a zip archive, with every failure turned into a `DataError`
/// that names the archive and the member.
///
/// Why not ZIPFoundation's `extract`: on a corrupt or truncated deflate stream it loops forever
/// (its inflate loop keeps asking for input past the end of the file and never sees the stream
/// end), which the fuzz test hit; and its CRC-32 is a byte-at-a-time loop on Linux. This reader
/// parses the central directory itself (with zip64 sizes and offsets) and inflates each member
/// in one call to zlib, bounded by the sizes the directory gives.
struct ZipSource {
    let bytes: Data
    /// The archive's path, for error messages.
    let file: String
    /// The members in central-directory order.
    let entries: [ZipEntry]

    init(url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DataError.missingFile(url.path) }
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw DataError.corruptZip(file: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        try self.init(data: data, name: url.path)
    }

    init(data: Data, name: String) throws {
        bytes = data.startIndex == 0 ? data : Data(data)
        file = name
        entries = try ZipSource.centralDirectory(of: bytes, file: name)
    }

    /// The regular files, in archive order.
    var fileEntries: [ZipEntry] { entries.filter { !$0.isDirectory } }
    var filePaths: [String] { fileEntries.map(\.path) }

    func entry(named path: String) -> ZipEntry? { entries.first { $0.path == path } }

    /// The whole content of one member.
    func read(_ path: String, verifyChecksum: Bool = true) throws -> Data {
        guard let entry = entry(named: path) else { throw DataError.corruptZip(file: file, reason: "no member \(path)") }
        return try read(entry, verifyChecksum: verifyChecksum)
    }

    func read(_ entry: ZipEntry, verifyChecksum: Bool = true) throws -> Data {
        func fail(_ reason: String) -> DataError { .corruptZip(file: file, reason: "member \(entry.path): \(reason)") }
        let h = entry.localHeaderOffset
        guard h >= 0, h <= bytes.count - 30, u32(h) == 0x0403_4B50 else { throw fail("no local header where the directory says") }
        let start = h + 30 + Int(u16(h + 26)) + Int(u16(h + 28))
        guard entry.compressedSize >= 0, start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw fail("the data runs past the end of the archive")
        }
        // Deflate expands at most about 1032:1; a larger claim is a corrupt directory. Both
        // limits are checked before the claimed size is allocated.
        guard entry.uncompressedSize >= 0,
              entry.uncompressedSize <= entry.compressedSize * InputLimits.maxZipCompressionRatio + 1024 else {
            throw fail("claims \(entry.uncompressedSize) bytes from \(entry.compressedSize) compressed "
                + "(more than the \(InputLimits.maxZipCompressionRatio):1 deflate can give)")
        }
        guard entry.uncompressedSize <= InputLimits.maxZipMemberBytes else {
            throw fail("claims \(entry.uncompressedSize) bytes, more than the \(InputLimits.maxZipMemberBytes)-byte limit")
        }
        var out = Data(count: entry.uncompressedSize)
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else { throw fail("stored with two different sizes") }
            out = bytes.subdata(in: start ..< start + entry.compressedSize)
        case 8:
            let produced = bytes.withUnsafeBytes { raw in
                out.withUnsafeMutableBytes { dst in
                    inflateRaw(UnsafeRawBufferPointer(rebasing: raw[start ..< start + entry.compressedSize]), into: dst)
                }
            }
            guard let produced else { throw fail("the compressed data is corrupt") }
            guard produced == entry.uncompressedSize else {
                throw fail("inflates to \(produced) bytes, the directory says \(entry.uncompressedSize)")
            }
        default:
            throw fail("compression method \(entry.method) is not supported")
        }
        if verifyChecksum {
            let crc = out.withUnsafeBytes { raw in
                crc32(0, raw.baseAddress?.assumingMemoryBound(to: UInt8.self), uInt(raw.count))
            }
            guard UInt32(truncatingIfNeeded: crc) == entry.crc32 else { throw fail("fails its CRC-32 check") }
        }
        return out
    }

    /// Inflates a raw deflate stream into `dst` in one pass; the number of bytes produced, or nil
    /// when the stream is corrupt, ends early, or does not fit.
    private func inflateRaw(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) -> Int? {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var produced = 0, consumed = 0
        // zlib counts in 32 bits: feed and drain in slices of at most 1 GB.
        while true {
            let inSlice = min(src.count - consumed, 1 << 30), outSlice = min(dst.count - produced, 1 << 30)
            stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.advanced(by: consumed).assumingMemoryBound(to: UInt8.self))
            stream.avail_in = uInt(inSlice)
            var scratch: UInt8 = 0
            stream.next_out = outSlice > 0 ? dst.baseAddress!.advanced(by: produced).assumingMemoryBound(to: UInt8.self)
                                           : withUnsafeMutablePointer(to: &scratch) { $0 }
            stream.avail_out = uInt(outSlice > 0 ? outSlice : 0)
            let result = inflate(&stream, Z_NO_FLUSH)
            consumed += inSlice - Int(stream.avail_in)
            produced += outSlice - Int(stream.avail_out)
            if result == Z_STREAM_END { return produced }
            // No progress possible (input exhausted, output full, or an error): the stream is bad.
            if result != Z_OK { return nil }
            if inSlice - Int(stream.avail_in) == 0 && outSlice - Int(stream.avail_out) == 0 { return nil }
        }
    }

    // MARK: - Central directory

    private func u16(_ i: Int) -> UInt16 { ZipSource.u16(bytes, i) }
    private func u32(_ i: Int) -> UInt32 { ZipSource.u32(bytes, i) }
    private static func u16(_ d: Data, _ i: Int) -> UInt16 { UInt16(d[i]) | UInt16(d[i + 1]) << 8 }
    private static func u32(_ d: Data, _ i: Int) -> UInt32 { UInt32(u16(d, i)) | UInt32(u16(d, i + 2)) << 16 }
    private static func u64(_ d: Data, _ i: Int) -> UInt64 { UInt64(u32(d, i)) | UInt64(u32(d, i + 4)) << 32 }

    static func centralDirectory(of d: Data, file: String) throws -> [ZipEntry] {
        func fail(_ reason: String) -> DataError { .corruptZip(file: file, reason: reason) }
        guard d.count >= 22 else { throw fail(d.isEmpty ? "the file is empty" : "too short to be a zip archive") }
        // The end-of-central-directory record sits in the last 22 + 65535 bytes.
        var eocd = -1
        var i = d.count - 22
        let lowest = max(0, d.count - 22 - 65535)
        while i >= lowest {
            if d[i] == 0x50, u32(d, i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw fail("no end of central directory (truncated?)") }
        var count = Int(u16(d, eocd + 10))
        var size = Int(u32(d, eocd + 12))
        var offset = Int(u32(d, eocd + 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            // zip64: a locator just before the record points at the zip64 end record.
            let locator = eocd - 20
            guard locator >= 0, u32(d, locator) == 0x0706_4B50 else { throw fail("zip64 locator missing") }
            let record = u64(d, locator + 8)
            guard record < UInt64(d.count), Int(record) <= d.count - 56, u32(d, Int(record)) == 0x0606_4B50 else {
                throw fail("zip64 end record missing")
            }
            let r = Int(record)
            let c = u64(d, r + 32), s = u64(d, r + 40), o = u64(d, r + 48)
            guard c < 1 << 31, s < 1 << 40, o < 1 << 40 else { throw fail("implausible zip64 directory") }
            (count, size, offset) = (Int(c), Int(s), Int(o))
        }
        guard offset <= d.count, size <= d.count - offset else { throw fail("the central directory runs past the end (truncated?)") }
        // Every directory entry takes at least 46 bytes, so the count is checked against the bytes present.
        guard count <= InputLimits.maxZipEntries, count <= size / 46 + 1 else {
            throw fail("the directory claims \(count) members in \(size) bytes")
        }
        var entries = [ZipEntry]()
        entries.reserveCapacity(count)
        var p = offset
        for n in 0..<count {
            guard p <= d.count - 46, u32(d, p) == 0x0201_4B50 else { throw fail("central directory entry \(n) is damaged") }
            let method = u16(d, p + 10)
            let crc = u32(d, p + 16)
            var compressed = UInt64(u32(d, p + 20)), uncompressed = UInt64(u32(d, p + 24))
            let nameLength = Int(u16(d, p + 28)), extraLength = Int(u16(d, p + 30)), commentLength = Int(u16(d, p + 32))
            var local = UInt64(u32(d, p + 42))
            let nameStart = p + 46
            guard nameStart + nameLength + extraLength + commentLength <= d.count else { throw fail("central directory entry \(n) is truncated") }
            guard nameLength <= InputLimits.maxZipPathBytes else { throw fail("central directory entry \(n) has a \(nameLength)-byte name") }
            let path = String(decoding: d[nameStart ..< nameStart + nameLength], as: UTF8.self)
            if let reason = oddPathReason(path) { throw fail("member '\(path.debugDescription.dropFirst().dropLast())' \(reason)") }
            // zip64 extra field (id 1): the 64-bit values of the fields saturated above, in this order.
            var e = nameStart + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = u16(d, e), length = Int(u16(d, e + 2))
                var q = e + 4
                if id == 1 {
                    let end = min(q + length, extraEnd)
                    if uncompressed == 0xFFFF_FFFF, q + 8 <= end { uncompressed = u64(d, q); q += 8 }
                    if compressed == 0xFFFF_FFFF, q + 8 <= end { compressed = u64(d, q); q += 8 }
                    if local == 0xFFFF_FFFF, q + 8 <= end { local = u64(d, q) }
                }
                e += 4 + length
            }
            guard compressed < 1 << 40, uncompressed < 1 << 40, local < 1 << 40 else { throw fail("member \(path) has implausible sizes") }
            entries.append(ZipEntry(path: path, method: method, crc32: crc, compressedSize: Int(compressed),
                                    uncompressedSize: Int(uncompressed), localHeaderOffset: Int(local)))
            p = extraEnd + commentLength
        }
        try checkDisjoint(entries, archiveSize: d.count, fail: fail)
        return entries
    }

    /// Why a member path cannot be trusted as a relative path inside the archive, or nil.
    static func oddPathReason(_ path: String) -> String? {
        if path.isEmpty { return "has an empty name" }
        if path.utf8.contains(0) { return "has a NUL byte in its name" }
        if path.hasPrefix("/") || path.hasPrefix("\\") { return "has an absolute path" }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) {
            return "has a '..' component in its path"
        }
        return nil
    }

    /// Real archives store each member once: two directory entries with one name, or
    /// pointing at one local header, would make one small member count (and inflate) many
    /// times. Together the members' compressed bytes cannot exceed the archive.
    static func checkDisjoint(_ entries: [ZipEntry], archiveSize: Int, fail: (String) -> DataError) throws {
        var names = Set<String>(), offsets = Set<Int>()
        var compressedTotal = 0
        for entry in entries {
            guard names.insert(entry.path).inserted else { throw fail("member \(entry.path) is listed twice") }
            if entry.isDirectory && entry.compressedSize == 0 { continue }
            guard offsets.insert(entry.localHeaderOffset).inserted else {
                throw fail("member \(entry.path) shares its data with another directory entry")
            }
            compressedTotal += entry.compressedSize
            guard compressedTotal <= archiveSize else {
                throw fail("the members' compressed sizes add up to more than the archive's \(archiveSize) bytes")
            }
        }
    }
}
