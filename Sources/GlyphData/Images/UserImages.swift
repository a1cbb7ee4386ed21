import Foundation

/// A user's own glyph images (PNG, JPEG or TIFF: gray, colour, palette, with alpha, any bit
/// depth, any size) read as model inputs, `side`x`side` floats with ink = 1 and paper = 0.
///
/// How an image is read is a `Preprocessing`: `.scan(side:)` finds the paper and ink levels and
/// crops to the glyph (`ScanReading`); `.legacy(side:)` pads the whole image to a square and maps
/// gray to ink linearly, as models saved before preprocessing was recorded expect.
public enum UserImages {
    /// Which gray level is ink. `auto` decides from the image: with the legacy reading, from
    /// the border's mean (a light border means dark ink); with scan reading, from which side of
    /// the paper level the image reaches further.
    public enum Polarity: String, Sendable, CaseIterable, Codable {
        case auto, darkInk, lightInk
    }

    /// One image file as a model input.
    public static func load(file: URL, preprocessing: Preprocessing) throws -> [Float] {
        try preprocessing.validate()
        return ScanReading.read(try ImageDecoder.decode(contentsOf: file), as: preprocessing)
    }

    /// Image bytes as a model input; `file` names the image in error messages.
    public static func convert(_ data: Data, file: String, preprocessing: Preprocessing) throws -> [Float] {
        try preprocessing.validate()
        return ScanReading.read(try ImageDecoder.decode(data, file: file), as: preprocessing)
    }

    /// One image file read the legacy way (whole image, linear gray).
    public static func load(file: URL, side: Int, polarity: Polarity = .auto) throws -> [Float] {
        try load(file: file, preprocessing: .legacy(side: side, polarity: polarity))
    }

    /// Image bytes read the legacy way (whole image, linear gray).
    public static func convert(_ data: Data, file: String, side: Int, polarity: Polarity = .auto) throws -> [Float] {
        try convert(data, file: file, preprocessing: .legacy(side: side, polarity: polarity))
    }
}
