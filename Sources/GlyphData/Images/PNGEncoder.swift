import CPNG
import Foundation

/// Writes PNG files through libpng's simplified API: to save glyphs for a report, and in the
/// tests, to make PNGs of every colour type and bit depth for the decoder to read back.
public enum PNGEncoder {
    /// The pixel layouts libpng writes directly.
    public enum Layout: Sendable, CaseIterable {
        case gray, grayAlpha, rgb, rgba
        var channels: Int { switch self { case .gray: 1; case .grayAlpha: 2; case .rgb: 3; case .rgba: 4 } }
        var format: UInt32 {
            switch self {
            case .gray: UInt32(PNG_FORMAT_GRAY)
            case .grayAlpha: UInt32(PNG_FORMAT_FLAG_ALPHA)
            case .rgb: UInt32(PNG_FORMAT_FLAG_COLOR)
            case .rgba: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
            }
        }
    }

    /// Encodes 8-bit samples (`width*height*channels`, interleaved, rows top to bottom).
    public static func encode(_ samples: [UInt8], width: Int, height: Int, layout: Layout = .gray) throws -> Data {
        guard width > 0, height > 0, samples.count == width * height * layout.channels else {
            throw DataError.invalidArgument("PNGEncoder: \(samples.count) samples do not make a \(width)x\(height) \(layout) image")
        }
        return try samples.withUnsafeBytes { try write($0, width: width, height: height, format: layout.format,
                                                       stride: width * layout.channels) }
    }

    /// Encodes 16-bit linear samples: libpng writes a 16-bit PNG.
    public static func encode16(_ samples: [UInt16], width: Int, height: Int, layout: Layout = .gray) throws -> Data {
        guard width > 0, height > 0, samples.count == width * height * layout.channels else {
            throw DataError.invalidArgument("PNGEncoder: \(samples.count) samples do not make a \(width)x\(height) \(layout) image")
        }
        return try samples.withUnsafeBytes { try write($0, width: width, height: height,
                                                       format: layout.format | UInt32(PNG_FORMAT_FLAG_LINEAR),
                                                       stride: width * layout.channels) }
    }

    /// A glyph (`side*side` floats, ink = 1) as a black-on-white 8-bit gray PNG.
    public static func encodeGlyph(_ ink: [Float], side: Int) throws -> Data {
        try encode(ink.map { UInt8((255 * (1 - min(max($0, 0), 1))).rounded()) }, width: side, height: side)
    }

    private static func write(_ buffer: UnsafeRawBufferPointer, width: Int, height: Int, format: UInt32, stride: Int) throws -> Data {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        var size: png_alloc_size_t = 0
        guard png_image_write_to_memory(&image, nil, &size, 0, buffer.baseAddress, Int32(stride), nil) != 0 else {
            throw DataError.invalidArgument("PNGEncoder: libpng cannot size the image")
        }
        var out = Data(count: Int(size))
        let ok = out.withUnsafeMutableBytes { raw in
            png_image_write_to_memory(&image, raw.baseAddress, &size, 0, buffer.baseAddress, Int32(stride), nil)
        }
        guard ok != 0 else { throw DataError.invalidArgument("PNGEncoder: libpng failed to write the image") }
        return out.prefix(Int(size))
    }
}
