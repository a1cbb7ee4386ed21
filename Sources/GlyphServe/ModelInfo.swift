import Foundation
import GlyphSiamese

/// What `GET /v1/model` tells: the model, how it was trained and how it scored, and the
/// collection it searches. Read once at start-up from the run folder.
public struct ModelInfo: Encodable, Sendable {
    public struct Training: Encodable, Sendable {
        public var data: String
        public var loss: String
        public var epochs: Int
        public var batchSize: Int
        public var seed: UInt64
    }

    /// Figures from the run's log.jsonl: validation scores of the best epoch (the one whose
    /// weights best.safetensors holds), and the epochs and time the run took.
    public struct Figures: Encodable, Sendable {
        public var epochsRun: Int
        public var bestEpoch: Int
        public var validationPairAccuracy: Double?
        public var validationOneshotAccuracy: Double?
        public var trainingSeconds: Double
    }

    public var checkpoint: String
    public var preset: String
    public var imageSide: Int
    public var embeddingSize: Int
    public var normalization: String
    /// How uploads are read (the checkpoint's preprocessing), e.g. "32x32, auto polarity, legacy".
    public var preprocessing: String
    public var threshold: Float?
    /// nil when the checkpoint has no run folder beside it (a bare checkpoint file).
    public var training: Training?
    public var figures: Figures?
    public var collection: String
    public var collectionSize: Int

    /// `runFolder` holds config.json and log.jsonl when the model came from `glyphsim train`.
    public init(checkpoint: URL, runFolder: URL?, embedder: Embedder, collection: any GlyphCollection) {
        self.checkpoint = checkpoint.lastPathComponent
        preset = embedder.config.preset.rawValue
        imageSide = embedder.side
        embeddingSize = embedder.dimension
        normalization = embedder.config.normalization.rawValue
        preprocessing = embedder.preprocessing.summary
        threshold = embedder.threshold
        self.collection = collection.summary
        collectionSize = collection.count
        guard let runFolder else { return }
        let run = RunFolder(runFolder)
        if let config = try? run.readConfig() {
            let data = config.data == .folder
                ? "a folder of classes, split by class"
                : "Omniglot background set, \(config.splits.rawValue) split, \(Int(config.validationFraction * 100))% of characters for validation"
            training = Training(data: data + (config.initializedFrom.map { ", fine-tuned from \($0)" } ?? ""),
                                loss: config.loss.rawValue, epochs: config.epochs, batchSize: config.batchSize, seed: config.seed)
        }
        if let text = try? String(contentsOf: run.file(RunFolder.logFile), encoding: .utf8) {
            let rows = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(LogRow.self, from: Data($0.utf8)) }
            let epochs = rows.filter { $0.kind == "epoch" }
            if let last = epochs.last {
                let best = epochs.max { ($0.validationOneShotAccuracy ?? 0) < ($1.validationOneShotAccuracy ?? 0) } ?? last
                figures = Figures(epochsRun: last.epoch, bestEpoch: best.epoch,
                                  validationPairAccuracy: best.validationPairAccuracy,
                                  validationOneshotAccuracy: best.validationOneShotAccuracy, trainingSeconds: last.wallTime)
            }
        }
    }
}
