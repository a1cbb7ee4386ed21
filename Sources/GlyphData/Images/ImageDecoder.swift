import Foundation

/// The image formats GlyphSim reads, recognised by their first bytes (never by extension).
public enum ImageFormat: String, Sendable, CaseIterable {
    case png = "PNG", jpeg = "JPEG", tiff = "TIFF"

    /// The format whose signature starts `data`, or nil.
    public static func sniff(_ data: Data) -> ImageFormat? {
        let head = [UInt8](data.prefix(8))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A])
            || head.starts(with: [0x49, 0x49, 0x2B, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2B]) { return .tiff }
        return nil
    }

    /// File name extensions a folder walk treats as images (lower case).
    public static let fileExtensions: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff"]

    /// Whether a file name ends in one of `fileExtensions`.
    public static func hasImageExtension(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return fileExtensions.contains(name[name.index(after: dot)...].lowercased())
    }
}

/// An image reduced to 8-bit gray: 0 = black, 255 = white, rows top to bottom.
public struct GrayImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "GrayImage: \(pixels.count) pixels for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// One entry point for a user's image files: picks PNG, JPEG or TIFF by the file's first bytes,
/// checks the header's size against `InputLimits` (both the maximum and the minimum) before
/// decoding, and returns 8-bit gray with alpha composited on white.
public enum ImageDecoder {
    /// The format and size of an image, from its header only.
    public static func header(_ data: Data, file: String) throws -> (format: ImageFormat, width: Int, height: Int) {
        guard let format = ImageFormat.sniff(data) else { throw DataError.notAnImage(file: file) }
        let size: (width: Int, height: Int)
        switch format {
        case .png: size = try PNGDecoder.size(of: data, file: file)
        case .jpeg: size = try JPEGDecoder.size(of: data, file: file)
        case .tiff: size = try TIFFDecoder.size(of: data, file: file)
        }
        return (format, size.width, size.height)
    }

    /// Decodes image bytes; `file` names the image in error messages.
    public static func decode(_ data: Data, file: String) throws -> GrayImage {
        let (format, width, height) = try header(data, file: file)
        try InputLimits.checkImageSize(width: width, height: height, file: file)
        let decoded: (width: Int, height: Int, gray: [UInt8])
        switch format {
        case .png: decoded = try PNGDecoder.decodeGray8(data, file: file)
        case .jpeg: decoded = try JPEGDecoder.decodeGray8(data, file: file)
        case .tiff: decoded = try TIFFDecoder.decodeGray8(data, file: file)
        }
        return GrayImage(width: decoded.width, height: decoded.height, pixels: decoded.gray)
    }

    /// Reads and decodes an image file; a missing or unreadable file is an error naming it.
    public static func decode(contentsOf url: URL) throws -> GrayImage {
        try decode(try readFile(url), file: url.path)
    }

    /// The bytes of `url`, refusing a file larger than any image within the limits could be.
    static func readFile(_ url: URL) throws -> Data {
        let fm = FileManager.default
        guard let attributes = try? fm.attributesOfItem(atPath: url.path) else { throw DataError.missingFile(url.path) }
        if attributes[.type] as? FileAttributeType == .typeDirectory {
            throw DataError.badLayout(path: url.path, reason: "is a folder, not an image")
        }
        if let size = (attributes[.size] as? NSNumber)?.intValue, size > InputLimits.maximumImageFileBytes {
            throw DataError.imageSize(file: url.path, reason: "the file is \(size) bytes, more than the limit of \(InputLimits.maximumImageFileBytes)")
        }
        guard let data = fm.contents(atPath: url.path) else { throw DataError.badLayout(path: url.path, reason: "cannot be read") }
        return data
    }
}
