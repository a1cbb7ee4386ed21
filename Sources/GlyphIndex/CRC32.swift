import CPNG

/// zlib's CRC-32, the checksum of index files (and of the approximate index beside them).
struct CRC32 {
    private(set) var value: UInt32 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var left = bytes.count
        var crc = UInt(value)
        while left > 0 {
            let chunk = min(left, 1 << 30)
            crc = CPNG.crc32(crc, base, UInt32(chunk))
            base += chunk
            left -= chunk
        }
        value = UInt32(truncatingIfNeeded: crc)
    }

    static func of(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }
}
