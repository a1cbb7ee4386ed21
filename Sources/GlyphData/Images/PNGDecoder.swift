import CPNG
import Foundation

/// PNG decoding through libpng's simplified API, which reads every colour type and bit depth
/// (palette, gray, RGB, with or without alpha, 1 to 16 bits) for us.
///
/// 8-bit files are read as 8-bit gray. 16-bit files are read as 16-bit values and reduced to 8
/// bits here: asked for 8-bit output, libpng would treat their samples as linear light and
/// re-encode them to sRGB, so a 16-bit gray PNG would read lighter than its 8-bit twin.
public enum PNGDecoder {
    /// Decodes `data` to gray values in [0, 1] (0 = black, 1 = white), rows top to bottom.
    /// Transparent pixels are composited on white, so a glyph drawn on a transparent canvas
    /// reads as ink on paper. `file` names the image in error messages.
    public static func decodeGray(_ data: Data, file: String) throws -> (width: Int, height: Int, gray: [Float]) {
        let (width, height, bytes) = try decodeGray8(data, file: file)
        var gray = [Float](repeating: 0, count: bytes.count)
        gray.withUnsafeMutableBufferPointer { g in
            bytes.withUnsafeBufferPointer { b in
                for i in 0..<b.count { g[i] = Float(b[i]) * (1 / 255) }
            }
        }
        return (width, height, gray)
    }

    /// The width and height in the header, without decoding any pixels.
    public static func size(of data: Data, file: String) throws -> (width: Int, height: Int) {
        try withImage(data, file: file) { image in (Int(image.pointee.width), Int(image.pointee.height)) }
    }

    /// Decodes `data` to 8-bit gray (0 = black, 255 = white). The header's size is checked
    /// against `InputLimits` before any pixel buffer is allocated.
    public static func decodeGray8(_ data: Data, file: String) throws -> (width: Int, height: Int, gray: [UInt8]) {
        try withImage(data, file: file) { image in
            let width = Int(image.pointee.width), height = Int(image.pointee.height)
            try InputLimits.checkAllocation(width: width, height: height, file: file)
            let sixteenBit = image.pointee.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
            let gray = sixteenBit ? try readSixteenBit(image, width: width, height: height, file: file)
                                  : try readEightBit(image, width: width, height: height, file: file)
            return (width, height, gray)
        }
    }

    private static func readEightBit(_ image: UnsafeMutablePointer<png_image>, width: Int, height: Int,
                                     file: String) throws -> [UInt8] {
        image.pointee.format = UInt32(PNG_FORMAT_GRAY)
        var gray = [UInt8](repeating: 0, count: width * height)
        var white = png_color(red: 255, green: 255, blue: 255)
        let finished = gray.withUnsafeMutableBytes { out in
            png_image_finish_read(image, &white, out.baseAddress, Int32(width), nil)
        }
        guard finished != 0 else { throw DataError.corruptPNG(file: file, reason: message(of: image)) }
        return gray
    }

    /// 16-bit samples as gray + alpha; libpng gives linear output premultiplied by alpha, so
    /// compositing on white adds the missing coverage as white.
    private static func readSixteenBit(_ image: UnsafeMutablePointer<png_image>, width: Int, height: Int,
                                       file: String) throws -> [UInt8] {
        image.pointee.format = UInt32(PNG_FORMAT_LINEAR_Y_ALPHA)
        var samples = [UInt16](repeating: 0, count: width * height * 2)
        let finished = samples.withUnsafeMutableBytes { out in
            png_image_finish_read(image, nil, out.baseAddress, Int32(width * 2), nil)
        }
        guard finished != 0 else { throw DataError.corruptPNG(file: file, reason: message(of: image)) }
        var gray = [UInt8](repeating: 0, count: width * height)
        for i in 0..<gray.count {
            let composited = UInt32(samples[2 * i]) + 65535 - UInt32(samples[2 * i + 1])
            gray[i] = UInt8((min(composited, 65535) * 255 + 32767) / 65535)
        }
        return gray
    }

    /// Runs `body` on a `png_image` whose header has been read from `data`, freeing it after.
    /// libpng keeps a pointer to the bytes between begin and finish: both happen inside here.
    private static func withImage<T>(_ data: Data, file: String,
                                     _ body: (UnsafeMutablePointer<png_image>) throws -> T) throws -> T {
        guard !data.isEmpty else { throw DataError.corruptPNG(file: file, reason: "the file is empty") }
        return try data.withUnsafeBytes { raw in
            let image = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
            image.initialize(to: png_image())  // zeroed, as libpng requires
            defer { png_image_free(image); image.deallocate() }
            image.pointee.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(image, raw.baseAddress, raw.count) != 0 else {
                throw DataError.corruptPNG(file: file, reason: message(of: image))
            }
            return try body(image)
        }
    }

    /// libpng's error text, kept in the fixed-size `message` field of `png_image`.
    private static func message(of image: UnsafeMutablePointer<png_image>) -> String {
        let text = withUnsafeBytes(of: &image.pointee.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "libpng could not decode it" : text
    }
}
