import Foundation

/// How a user's image file becomes a model's input: saved in checkpoints (as part of the model's
/// configuration), so that every command reads images exactly as the model was made to see them.
///
/// Omniglot's own training data never goes through this: its readers give the drawings as
/// they are (105x105, ink = 1), and they are already clean and framed.
public struct Preprocessing: Codable, Sendable, Equatable {
    /// Side of the square input (pixels).
    public var side: Int
    /// Which gray level is ink: `auto` decides from the image itself.
    public var polarity: UserImages.Polarity
    /// Estimate each image's paper and ink levels and map paper to 0 and ink to 1 (on), or map
    /// gray to ink linearly, black = 1 and white = 0 (off: the reading of older checkpoints).
    public var normalizesPaper: Bool
    /// Crop to the ink's bounding box with `cropMargin` around it, centred (on), or keep the
    /// whole image (off).
    public var crops: Bool
    /// Paper added on each side of the ink box when cropping, as a fraction of the box's
    /// longer side.
    public var cropMargin: Double

    /// The default margin makes a cropped glyph's ink box fill 65% of the square on its longer
    /// side, the median over Omniglot's 19,280 background drawings (68.5 of 105 pixels, see
    /// docs/own-glyphs.md): (1/0.65 - 1) / 2 = 0.27 of the box on each side.
    public static let defaultCropMargin = 0.27

    public init(side: Int, polarity: UserImages.Polarity = .auto, normalizesPaper: Bool, crops: Bool,
                cropMargin: Double = Preprocessing.defaultCropMargin) {
        self.side = side
        self.polarity = polarity
        self.normalizesPaper = normalizesPaper
        self.crops = crops
        self.cropMargin = cropMargin
    }

    /// Reading real scans: paper and ink levels found per image, cropped and centred. The
    /// default for new models.
    public static func scan(side: Int, polarity: UserImages.Polarity = .auto) -> Preprocessing {
        Preprocessing(side: side, polarity: polarity, normalizesPaper: true, crops: true)
    }

    /// How models saved before preprocessing was recorded read images: the whole image padded
    /// to a square with paper, gray mapped to ink linearly, polarity from the border's mean.
    public static func legacy(side: Int, polarity: UserImages.Polarity = .auto) -> Preprocessing {
        Preprocessing(side: side, polarity: polarity, normalizesPaper: false, crops: false)
    }

    /// The same reading with another polarity (a command-line override).
    public func with(polarity: UserImages.Polarity?) -> Preprocessing {
        var copy = self
        if let polarity { copy.polarity = polarity }
        return copy
    }

    /// Refuses values no image can be read with; `field` names where they came from.
    public func validate(field: String = "preprocessing") throws {
        guard side > 0, side <= 1024 else {
            throw DataError.invalidArgument("\(field).side must be 1...1024, got \(side)")
        }
        guard cropMargin.isFinite, cropMargin >= 0, cropMargin <= 10 else {
            throw DataError.invalidArgument("\(field).cropMargin must be between 0 and 10, got \(cropMargin)")
        }
    }

    /// A one-line description for logs and reports.
    public var summary: String {
        let paper = normalizesPaper ? "paper level normalized" : "linear gray"
        let crop = crops ? String(format: "cropped (margin %.2f)", cropMargin) : "not cropped"
        return "\(side)x\(side), polarity \(polarity.rawValue), \(paper), \(crop)"
    }
}
