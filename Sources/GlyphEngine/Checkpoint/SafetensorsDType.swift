import Foundation

// safetensors stores little-endian bytes, which this reader copies as they are.
#if _endian(big)
#error("GlyphSim's safetensors reader assumes a little-endian host")
#endif

/// The element types GlyphSim can read from a safetensors file, all converted to Float.
/// The names are the format's own. Integer and 8-bit types are refused: a model's weights
/// are floating point, and silently rounding integers would hide a wrong file.
enum SafetensorsDType: String, CaseIterable {
    case F32, F64, F16, BF16

    var byteSize: Int {
        switch self {
        case .F32: return 4
        case .F64: return 8
        case .F16, .BF16: return 2
        }
    }

    /// Converts `count` little-endian elements from `bytes` (exactly `count * byteSize` long).
    func decode(_ bytes: Data, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                switch self {
                case .F32:
                    if count > 0 { memcpy(out.baseAddress!, raw.baseAddress!, count * 4) }
                case .F64:
                    for i in 0..<count { out[i] = Float(raw.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
                case .F16:
                    for i in 0..<count { out[i] = Self.halfToFloat(raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) }
                case .BF16:
                    for i in 0..<count {
                        out[i] = Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) << 16)
                    }
                }
            }
            initialized = count
        }
    }

    /// IEEE 754 binary16 to binary32, written out so it works where `Float16` is unavailable.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0x1F:  // infinity or NaN
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        case 0:     // zero or subnormal: mantissa * 2^-24
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
        }
    }
}
