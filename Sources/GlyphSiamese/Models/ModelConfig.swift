import GlyphData
import GlyphEngine

/// Everything that fixes the shape of a tower, saved in every checkpoint so that a model can
/// be rebuilt from its file alone (and a checkpoint of another model is refused).
public struct ModelConfig: Codable, Sendable, Equatable {
    public enum Preset: String, Codable, Sendable, CaseIterable {
        /// Koch et al. (2015), the course report's subnetwork, at 105x105: about 39M parameters.
        case koch
        /// GlyphSim's CPU default: four conv-BN-ReLU-pool blocks and a linear embedding.
        /// Small inputs (32x32 by default) make it train in minutes on two cores.
        case fast
    }

    /// How embeddings are normalized before distances are taken.
    public enum Normalization: String, Codable, Sendable, CaseIterable {
        case none
        /// Unit length: distances lie in [0, 2], which makes one margin suit every model.
        case l2
    }

    public var preset: Preset
    /// Side of the square input image in pixels; Omniglot's 105 is resized by area averaging.
    public var imageSize: Int
    /// Channels of every conv block (fast preset only, when `widths` is nil).
    public var width: Int
    /// Size of the embedding; for `fast`, 0 means no final linear layer (the conv features are the embedding).
    public var embeddingSize: Int
    public var normalization: Normalization
    /// Fast preset: how many of the four blocks end with a 2x2 max-pool, counted from the first
    /// (nil: all four, Conv-4 as published). With 3 at 28x28 the last block keeps its 3x3 map, so the
    /// embedding layer sees where strokes lie, for no extra convolution work. Optional so that
    /// checkpoints saved before it existed still load.
    public var pools: Int?

    /// Fast preset: the channels of each of the four blocks, when they differ (nil: `width` for
    /// every block). The later blocks work on small maps, so widening them costs far less than
    /// widening the first. Optional so that checkpoints saved before it existed still load.
    public var widths: [Int]?

    /// How users' image files are read for this model (side, polarity, paper normalization,
    /// cropping). nil in checkpoints saved before it was recorded: those read images the legacy
    /// way (`Preprocessing.legacy`). New models read scans (`Preprocessing.scan`): see
    /// `imagePreprocessing` and docs/own-glyphs.md.
    public var preprocessing: Preprocessing?

    /// The preprocessing this model's images are read with; its side is always `imageSize`,
    /// the tower's input.
    public var imagePreprocessing: Preprocessing {
        var p = preprocessing ?? .legacy(side: imageSize)
        p.side = imageSize
        return p
    }

    /// The fast preset's default block widths. The blocks that work on 8x8 and 4x4 maps cost
    /// far less per channel than the first two, so they are the ones widened: 64-64-128-256
    /// measured far better than a uniform 64 at 8 epochs (prototypical loss: 20-way
    /// within-alphabet 77.0% -> 80.5% over 4000 trials), and 64-64-192-384 better again at 30
    /// epochs (85.55% -> 86.72%; README, Results) for about 1.3x the time of a step, which
    /// oneDNN's Winograd convolutions paid back.
    public static let fastDefaultWidths = [64, 64, 192, 384]

    /// Max-pools of the fast preset's blocks.
    public var poolCount: Int { pools ?? 4 }

    /// Channels of the fast preset's four blocks.
    public var blockWidths: [Int] { widths ?? Array(repeating: width, count: 4) }

    public init(preset: Preset, imageSize: Int? = nil, width: Int? = nil, embeddingSize: Int? = nil,
                normalization: Normalization? = nil, pools: Int? = nil, widths: [Int]? = nil,
                preprocessing: Preprocessing? = nil) {
        self.preset = preset
        self.pools = preset == .fast ? pools : nil
        // The fast preset widens its last two blocks unless a uniform --width was asked for.
        self.widths = preset == .fast ? (widths ?? (width == nil ? Self.fastDefaultWidths : nil)) : nil
        switch preset {
        case .koch:
            self.imageSize = imageSize ?? 105
            self.width = width ?? 64
            self.embeddingSize = embeddingSize ?? 4096
            self.normalization = normalization ?? .none
        case .fast:
            // 32 rather than 28: the four pools then end on 2x2 maps instead of dropping the 7x7
            // maps' last row and column, and finer strokes raised 20-way within-alphabet one-shot
            // accuracy at 30 epochs from 84.5% to 85.7% (4000 trials, README Results) for 1.3x the
            // time per epoch.
            self.imageSize = imageSize ?? 32
            self.width = width ?? 64
            self.embeddingSize = embeddingSize ?? 128
            self.normalization = normalization ?? .l2
        }
        // Scan reading by default: users' glyphs come from scans and photos, on paper that is
        // not white, at any size and place in the image; an Omniglot-trained model has only
        // seen clean, framed glyphs (docs/own-glyphs.md).
        self.preprocessing = preprocessing ?? .scan(side: self.imageSize)
    }

    /// A one-line description for logs and reports.
    public var summary: String {
        switch preset {
        case .koch: return "koch@\(imageSize) (embedding \(embeddingSize), \(normalization.rawValue))"
        case .fast:
            let poolText = poolCount == 4 ? "" : ", \(poolCount) pools"
            let widthText = widths.map { "widths " + $0.map(String.init).joined(separator: "-") } ?? "width \(width)"
            return "fast@\(imageSize) (\(widthText)\(poolText), embedding \(embeddingSize), \(normalization.rawValue))"
        }
    }
}

extension ModelConfig {
    /// Refuses a configuration outside `SiameseLimits` (or one its preset cannot build) with a
    /// message naming the field, before anything is allocated for it.
    public func validate() throws {
        func fail(_ m: String) throws -> Never { throw SiameseError.invalidConfiguration("model configuration: " + m) }
        switch preset {
        case .koch:
            if imageSize != 105 { try fail("the koch preset takes 105x105 images, not imageSize \(imageSize)") }
            if !(1...SiameseLimits.maxEmbeddingSize).contains(embeddingSize) {
                try fail("embeddingSize must lie in 1...\(SiameseLimits.maxEmbeddingSize), not \(embeddingSize)")
            }
        case .fast:
            if !(SiameseLimits.minFastImageSize...SiameseLimits.maxImageSize).contains(imageSize) {
                try fail("imageSize must lie in \(SiameseLimits.minFastImageSize)...\(SiameseLimits.maxImageSize), not \(imageSize)")
            }
            if !(0...SiameseLimits.maxEmbeddingSize).contains(embeddingSize) {
                try fail("embeddingSize must lie in 0...\(SiameseLimits.maxEmbeddingSize), not \(embeddingSize)")
            }
            if !(0...4).contains(poolCount) { try fail("pools must lie in 0...4, not \(poolCount)") }
            let widths = blockWidths
            if widths.count != 4 { try fail("widths must list 4 channel counts, not \(widths.count)") }
            if let bad = widths.first(where: { !(1...SiameseLimits.maxWidth).contains($0) }) {
                try fail("every block width must lie in 1...\(SiameseLimits.maxWidth), not \(bad)")
            }
        }
        if !(1...SiameseLimits.maxWidth).contains(width) {
            try fail("width must lie in 1...\(SiameseLimits.maxWidth), not \(width)")
        }
        let parameters = parameterEstimate
        if parameters > SiameseLimits.maxParameters {
            try fail("\(summary) would have about \(parameters) parameters, more than the \(SiameseLimits.maxParameters) allowed")
        }
    }

    /// The tower's parameter count from the configuration alone (weights and biases; batch-norm
    /// buffers included), computed in overflow-safe steps after the ranges above are checked.
    var parameterEstimate: Int {
        switch preset {
        case .koch:
            let convolutions = (1 * 64 * 100 + 64) + (64 * 128 * 49 + 128) + (128 * 128 * 16 + 128) + (128 * 256 * 16 + 256)
            return convolutions + 9216 * embeddingSize + embeddingSize
        case .fast:
            let widths = blockWidths
            var total = 0, inChannels = 1
            for w in widths {
                total += inChannels * w * 9 + 4 * w
                inChannels = w
            }
            var side = imageSize
            for _ in 0..<poolCount { side /= 2 }
            let features = (widths.last ?? 0) * side * side
            return total + (embeddingSize > 0 ? features * embeddingSize + embeddingSize : 0)
        }
    }
}
