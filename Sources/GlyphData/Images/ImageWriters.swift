import Foundation

/// Writes 8-bit gray JPEG and TIFF files with the libraries GlyphSim reads them with: for tests,
/// fixtures and examples of a user's own files (GlyphSim itself writes only PNG and npy).
public enum ImageWriters {
    public static func jpeg(gray: [UInt8], width: Int, height: Int, quality: Int = 95) throws -> Data {
        try JPEGEncoder.encodeGray(gray, width: width, height: height, quality: quality)
    }

    public static func tiff(gray: [UInt8], width: Int, height: Int, to url: URL) throws {
        try TIFFEncoder.write(gray, width: width, height: height, channels: 1, to: url)
    }
}
