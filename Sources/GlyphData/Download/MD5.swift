/// MD5 (RFC 1321), only to check downloads against the md5 sums Omniglot's authors publish.
/// Not for anything that needs security. Incremental: `update` any number of times, then `hexDigest`.
public struct MD5: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
    private var pending = [UInt8]()
    private var length: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    private static let shifts: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                           5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                           4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                           6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    /// floor(abs(sin(i + 1)) * 2^32)
    private static let constants: [UInt32] = (0..<64).map { i in
        UInt32(truncatingIfNeeded: Int64((abs(sinApprox(Double(i + 1))) * 4_294_967_296).rounded(.down)))
    }

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for b in bytes {
            pending.append(b)
            if pending.count == 64 {
                compress(pending)
                pending.removeAll(keepingCapacity: true)
            }
            length &+= 1
        }
    }

    /// Fast path for contiguous bytes: whole blocks go straight to `compress`.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        var start = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, buffer.count)
            update(buffer[0..<take])
            start = take
        }
        while buffer.count - start >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: buffer[start ..< start + 64]))
            start += 64
            length &+= 64
        }
        if start < buffer.count { update(buffer[start...]) }
    }

    /// The digest as 32 lowercase hex digits. Does not change `self`.
    public func hexDigest() -> String {
        var copy = self
        let bitLength = length &* 8
        copy.update([0x80])
        while copy.pending.count != 56 { copy.update([0]) }
        copy.update((0..<8).map { UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64($0))) })
        let words = [copy.state.0, copy.state.1, copy.state.2, copy.state.3]
        let hexDigits = Array("0123456789abcdef")
        var out = ""
        for w in words {
            for k in 0..<4 {
                let byte = Int((w >> (8 * UInt32(k))) & 0xFF)
                out.append(hexDigits[byte >> 4]); out.append(hexDigits[byte & 15])
            }
        }
        return out
    }

    public static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var md5 = MD5()
        md5.update(bytes)
        return md5.hexDigest()
    }

    private mutating func compress<Block: Collection>(_ block: Block) where Block.Element == UInt8, Block.Index == Int {
        var m = [UInt32](repeating: 0, count: 16)
        let base = block.startIndex
        for i in 0..<16 {
            m[i] = UInt32(block[base + 4 * i]) | UInt32(block[base + 4 * i + 1]) << 8
                | UInt32(block[base + 4 * i + 2]) << 16 | UInt32(block[base + 4 * i + 3]) << 24
        }
        var (a, b, c, d) = state
        for i in 0..<64 {
            var f: UInt32, g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ MD5.constants[i] &+ m[g]
            a = d; d = c; c = b
            let s = MD5.shifts[i]
            b = b &+ ((f << s) | (f >> (32 - s)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}

#if canImport(Glibc)
import Glibc
private func sinApprox(_ x: Double) -> Double { Glibc.sin(x) }
#else
import Foundation
private func sinApprox(_ x: Double) -> Double { Foundation.sin(x) }
#endif
