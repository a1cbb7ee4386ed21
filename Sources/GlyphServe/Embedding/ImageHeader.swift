import Foundation

/// Reads an uploaded image's dimensions from its header, before anything is decoded, so a
/// small file that declares a huge image is refused without allocating for it.
enum ImageHeader {
    static func check(_ data: Data, name: String, maxSide: Int) throws {
        guard let (width, height) = dimensions(data) else { return }  // the decoder names what is wrong
        guard width > 0, height > 0 else {
            throw ServeError.unreadableImage("\(name): declares a \(width)x\(height) image")
        }
        guard width <= maxSide, height <= maxSide else {
            throw ServeError.unreadableImage("\(name): is \(width)x\(height) pixels; the limit is \(maxSide) on each side")
        }
    }

    /// Width and height from a PNG's IHDR chunk or a JPEG's first start-of-frame marker;
    /// nil when `data` is neither (or too short to tell).
    static func dimensions(_ data: Data) -> (Int, Int)? {
        let bytes = [UInt8](data.prefix(64 * 1024))
        func u16(_ i: Int) -> Int { Int(bytes[i]) << 8 | Int(bytes[i + 1]) }
        func u32(_ i: Int) -> Int { u16(i) << 16 | u16(i + 2) }
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.count >= 24, Array(bytes[0..<8]) == pngSignature, Array(bytes[12..<16]) == Array("IHDR".utf8) {
            return (u32(16), u32(20))
        }
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var i = 2
        while i + 9 < bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }                       // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            let length = u16(i + 2)
            let isFrame = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isFrame { return (u16(i + 7), u16(i + 5)) }
            guard length >= 2 else { return nil }
            i += 2 + length
        }
        return nil
    }
}
