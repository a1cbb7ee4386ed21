import CPNG
import Foundation

/// PNG decoding through libpng's simplified API, which reads every colour type and bit depth
/// (palette, gray, RGB, with or without alpha, 1 to 16 bits) into 8-bit gray for us.
public enum PNGDecoder {
    /// Larger images are refused rather than allocated (a corrupt header can claim anything).
    public static let maximumPixels = 1 << 26

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

    /// Decodes `data` to 8-bit gray (0 = black, 255 = white).
    public static func decodeGray8(_ data: Data, file: String) throws -> (width: Int, height: Int, gray: [UInt8]) {
        guard !data.isEmpty else { throw DataError.corruptPNG(file: file, reason: "the file is empty") }
        // libpng keeps a pointer to the bytes between begin and finish: both happen in one closure.
        let result: Result<(Int, Int, [UInt8]), DataError> = data.withUnsafeBytes { raw in
            var image = png_image()  // zeroed, as libpng requires
            image.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                return .failure(.corruptPNG(file: file, reason: message(of: &image)))
            }
            let width = Int(image.width), height = Int(image.height)
            guard width > 0, height > 0, width * height <= maximumPixels else {
                png_image_free(&image)
                return .failure(.corruptPNG(file: file, reason: "implausible size \(width)x\(height)"))
            }
            image.format = UInt32(PNG_FORMAT_GRAY)
            var gray = [UInt8](repeating: 0, count: width * height)
            var white = png_color(red: 255, green: 255, blue: 255)
            let finished = gray.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, &white, out.baseAddress, Int32(width), nil)
            }
            guard finished != 0 else {
                let reason = message(of: &image)
                png_image_free(&image)
                return .failure(.corruptPNG(file: file, reason: reason))
            }
            return .success((width, height, gray))
        }
        return try result.get()
    }

    /// libpng's error text, kept in the fixed-size `message` field of `png_image`.
    private static func message(of image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "libpng could not decode it" : text
    }
}
