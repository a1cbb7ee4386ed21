import Foundation
import GlyphData
import GlyphEngine
import GlyphRandom

/// Choosing a model's one decision threshold again, on a user's own labelled classes.
///
/// A model trained on Omniglot carries a threshold chosen on Omniglot's validation characters;
/// on a user's glyphs (other scripts, printed type, scans) distances spread differently. The new
/// threshold is chosen on validation classes only (never on the classes `evaluate` scores), and
/// written into the checkpoint, so `evaluate`, `compare`, `search` and `serve` all use it.
public enum Calibration {
    public struct Result: Sendable, Codable {
        public var previousThreshold: Float?
        public var threshold: Float
        /// Pair accuracy on the validation pairs at the previous and the new threshold.
        public var previousAccuracy: Double?
        public var accuracy: Double
        public var pairs: Int
        public var validationClasses: Int

        enum CodingKeys: String, CodingKey {
            case previousThreshold = "previous_threshold"
            case threshold
            case previousAccuracy = "previous_accuracy"
            case accuracy, pairs
            case validationClasses = "validation_classes"
        }
    }

    /// Chooses the threshold on `validation` and saves it into `checkpoint` atomically.
    public static func calibrate(checkpoint: URL, validation: GlyphDataset, seed: UInt64 = 2021) throws -> Result {
        let model = try SiameseModel.load(from: checkpoint)
        let side = model.config.imageSize
        let images = validation.side == side ? validation : validation.resized(to: side)
        let embeddings = try model.embed(images)
        var generator = SeededGenerator(seed: seed)
        let pairs = VerificationPairs.make(images, negatives: .anywhere, generator: &generator)
        guard !pairs.isEmpty else {
            throw SiameseError.invalidConfiguration("the validation classes give no pairs to choose a threshold on")
        }
        let distances = EmbeddingScores.distances(of: pairs, in: embeddings)
        let same = pairs.map(\.isSame)
        let threshold = bestThreshold(distances: distances, same: same)
        var saved = try Checkpoint.read(from: checkpoint)
        saved.metadata[SiameseModel.thresholdKey] = String(threshold)
        try saved.write(to: checkpoint)
        return Result(previousThreshold: model.threshold, threshold: threshold,
                      previousAccuracy: model.threshold.map { verify(distances: distances, same: same, threshold: $0).accuracy },
                      accuracy: verify(distances: distances, same: same, threshold: threshold).accuracy,
                      pairs: pairs.count, validationClasses: images.characters.count)
    }
}
