import CTIFF
import Foundation

/// TIFF decoding through libtiff, which reads every photometric interpretation, bit depth,
/// compression and orientation into one RGBA raster; this reduces it to 8-bit gray, alpha
/// composited on white. Only the first image of a multi-page file is read.
///
/// libtiff's own allocations are capped (`maximumLibraryAllocation`), so a corrupt strip table
/// claiming gigabytes fails instead of allocating; its messages are captured, never printed.
enum TIFFDecoder {
    /// Largest single allocation libtiff may make while decoding (strip buffers, tables).
    static let maximumLibraryAllocation = 256 << 20

    static func size(of data: Data, file: String) throws -> (width: Int, height: Int) {
        try withTIFF(data, file: file) { tif, _ in try dimensions(tif, file: file) }
    }

    static func decodeGray8(_ data: Data, file: String) throws -> (width: Int, height: Int, gray: [UInt8]) {
        try withTIFF(data, file: file) { tif, source in
            let (width, height) = try dimensions(tif, file: file)
            try InputLimits.checkAllocation(width: width, height: height, file: file)
            var reason = [CChar](repeating: 0, count: 1024)
            guard TIFFRGBAImageOK(tif, &reason) == 1 else {
                throw DataError.corruptImage(file: file, format: "TIFF", reason: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            var raster = [UInt32](repeating: 0, count: width * height)
            let ok = raster.withUnsafeMutableBufferPointer { out in
                TIFFReadRGBAImageOriented(tif, UInt32(width), UInt32(height), out.baseAddress, ORIENTATION_TOPLEFT, 1)
            }
            guard ok == 1 else { throw DataError.corruptImage(file: file, format: "TIFF", reason: message(source)) }
            // Packed ABGR, premultiplied by alpha: paper (white) fills what alpha leaves uncovered.
            var gray = [UInt8](repeating: 0, count: width * height)
            for i in 0..<gray.count {
                let p = raster[i]
                let r = p & 0xFF, g = (p >> 8) & 0xFF, b = (p >> 16) & 0xFF, a = p >> 24
                let luma = (299 * r + 587 * g + 114 * b + 500) / 1000
                gray[i] = UInt8(min(255, luma + 255 - a))
            }
            return (width, height, gray)
        }
    }

    private static func dimensions(_ tif: OpaquePointer, file: String) throws -> (Int, Int) {
        var width: UInt32 = 0, height: UInt32 = 0
        guard glyph_tiff_dimensions(tif, &width, &height) == 1 else {
            throw DataError.corruptImage(file: file, format: "TIFF", reason: "the image width or length tag is missing")
        }
        return (Int(width), Int(height))
    }

    /// Opens `data` as a TIFF for `body`; the bytes and the message buffer outlive the handle.
    private static func withTIFF<T>(_ data: Data, file: String,
                                    _ body: (OpaquePointer, UnsafeMutablePointer<glyph_tiff_source>) throws -> T) throws -> T {
        guard !data.isEmpty else { throw DataError.corruptImage(file: file, format: "TIFF", reason: "the file is empty") }
        return try data.withUnsafeBytes { raw in
            let source = UnsafeMutablePointer<glyph_tiff_source>.allocate(capacity: 1)
            source.initialize(to: glyph_tiff_source())
            defer { source.deallocate() }
            source.pointee.data = raw.bindMemory(to: UInt8.self).baseAddress
            source.pointee.size = UInt64(raw.count)
            guard let tif = glyph_tiff_open(source, tmsize_t(maximumLibraryAllocation)) else {
                throw DataError.corruptImage(file: file, format: "TIFF", reason: message(source))
            }
            defer { TIFFClose(tif) }
            return try body(tif, source)
        }
    }

    private static func message(_ source: UnsafeMutablePointer<glyph_tiff_source>) -> String {
        let text = withUnsafeBytes(of: &source.pointee.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "libtiff could not decode it" : text
    }
}

/// Writes TIFF files (for tests and fixtures): gray or RGB, optional alpha, 8 or 16 bits.
enum TIFFEncoder {
    static func write<Sample: FixedWidthInteger>(_ samples: [Sample], width: Int, height: Int, channels: Int,
                                                 alpha: Bool = false, deflate: Bool = true, to url: URL) throws {
        guard width > 0, height > 0, samples.count == width * height * channels, Sample.bitWidth == 8 || Sample.bitWidth == 16 else {
            throw DataError.invalidArgument("TIFFEncoder: \(samples.count) samples do not make a \(width)x\(height)x\(channels) image")
        }
        let ok = samples.withUnsafeBytes { raw in
            glyph_tiff_write_file(url.path, UInt32(width), UInt32(height), UInt16(channels), UInt16(Sample.bitWidth),
                                  alpha ? 1 : 0, deflate ? 1 : 0, raw.baseAddress)
        }
        guard ok == 1 else { throw DataError.invalidArgument("TIFFEncoder: could not write \(url.path)") }
    }
}
