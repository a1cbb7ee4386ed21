import Foundation
import GlyphData
import GlyphRandom

/// Everything `glyphsim evaluate` reports, in the shape of its `--json` output.
public struct EvaluationReport: Encodable, Sendable {
    public struct Verification: Codable, Sendable {
        public var train: VerificationCounts
        public var test: VerificationCounts
        public var trainAndTest: VerificationCounts
        public var rocAUC: Double
        public var equalErrorRate: Double

        enum CodingKeys: String, CodingKey {
            case train, test
            case trainAndTest = "train+test"
            case rocAUC = "roc_auc"
            case equalErrorRate = "eer"
        }
    }

    public var model: String
    /// Decision threshold on the embedding distance, chosen on validation characters only.
    public var threshold: Float
    public var verification: Verification
    /// The same table with negatives drawn only from the character's own alphabet.
    public var verificationSameAlphabet: Verification
    /// Keys such as `20way_1shot_within`, `20way_1shot_across`, `5way_1shot_across`, `20way_5shot_across`.
    public var oneshot: [String: AccuracyEstimate]
    /// Distances of the test split's pairs, for the report's histogram and ROC curve (not in --json).
    public var testDistances: [Float] = []
    public var testSame: [Bool] = []
    /// The test split's pairs (image indices into `splits.test`), parallel to `testDistances`.
    public var testPairs: [LabeledPair] = []

    enum CodingKeys: String, CodingKey {
        case model, threshold, verification, oneshot
        case verificationSameAlphabet = "verification_same_alphabet"
        case rocAUC = "roc_auc"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(verification, forKey: .verification)
        try c.encode(verification.rocAUC, forKey: .rocAUC)
        try c.encode(verificationSameAlphabet, forKey: .verificationSameAlphabet)
        try c.encode(oneshot, forKey: .oneshot)
    }
}

/// Judges a model the way the seed report did (pair verification, Table 1) and the way the
/// field does (N-way k-shot classification on the evaluation set).
public struct Evaluator {
    public let model: SiameseModel
    public let splits: DataSplits
    public var seed: UInt64 = 2021
    /// Trials per one-shot task (Koch's within-alphabet protocol uses 400).
    public var trials: Int = 400

    public init(model: SiameseModel, splits: DataSplits) {
        self.model = model
        self.splits = splits
    }

    /// One one-shot task: `ways`-way `shots`-shot, episodes within one alphabet or across alphabets.
    public struct Task: Sendable {
        public var ways: Int
        public var shots: Int
        public var withinAlphabet: Bool
        public var key: String { "\(ways)way_\(shots)shot_\(withinAlphabet ? "within" : "across")" }
    }

    public static let standardTasks = [
        Task(ways: 20, shots: 1, withinAlphabet: true), Task(ways: 20, shots: 1, withinAlphabet: false),
        Task(ways: 5, shots: 1, withinAlphabet: false), Task(ways: 20, shots: 5, withinAlphabet: false),
        Task(ways: 5, shots: 5, withinAlphabet: false),
    ]

    public func run(progress: (String) -> Void = { _ in }) throws -> EvaluationReport {
        let side = model.config.imageSize
        func sized(_ d: GlyphDataset) -> GlyphDataset { d.side == side ? d : d.resized(to: side) }
        // Table 1's train split is the whole background set: training and validation characters.
        let train = sized(GlyphDataset.merged([splits.train, splits.validation]))
        let validation = sized(splits.validation)
        let test = sized(splits.test)

        progress("embedding \(train.imageCount + test.imageCount) images")
        let trainEmbeddings = try model.embed(train)
        let testEmbeddings = try model.embed(test)
        let validationEmbeddings = try model.embed(validation)

        // The threshold comes from validation pairs only, never from the pairs being scored.
        var generator = SeededGenerator(seed: seed)
        let validationPairs = VerificationPairs.make(validation, negatives: .anywhere, generator: &generator)
        let threshold = bestThreshold(distances: EmbeddingScores.distances(of: validationPairs, in: validationEmbeddings),
                                      same: validationPairs.map(\.isSame))

        func table(_ negatives: NegativeSource, stream: UInt64) -> (EvaluationReport.Verification, [Float], [LabeledPair]) {
            var g = SeededGenerator(seed: seed).derived(stream)
            let trainPairs = VerificationPairs.make(train, negatives: negatives, generator: &g)
            let testPairs = VerificationPairs.make(test, negatives: negatives, generator: &g)
            let dTrain = EmbeddingScores.distances(of: trainPairs, in: trainEmbeddings)
            let dTest = EmbeddingScores.distances(of: testPairs, in: testEmbeddings)
            let sTrain = trainPairs.map(\.isSame), sTest = testPairs.map(\.isSame)
            let all = dTrain + dTest, allSame = sTrain + sTest
            return (EvaluationReport.Verification(
                train: verify(distances: dTrain, same: sTrain, threshold: threshold),
                test: verify(distances: dTest, same: sTest, threshold: threshold),
                trainAndTest: verify(distances: all, same: allSame, threshold: threshold),
                rocAUC: rocAUC(distances: dTest, same: sTest),
                equalErrorRate: equalErrorRate(distances: dTest, same: sTest)), dTest, testPairs)
        }
        progress("scoring verification pairs")
        let (verification, testDistances, testPairs) = table(.anywhere, stream: 1)
        let (sameAlphabet, _, _) = table(.sameAlphabet, stream: 2)

        var oneshot = [String: AccuracyEstimate]()
        for (index, task) in Self.standardTasks.enumerated() {
            progress("scoring \(task.key)")
            var g = SeededGenerator(seed: seed).derived(100 + UInt64(index))
            let sampler = EpisodeSampler(dataset: test, ways: task.ways, shots: task.shots, queriesPerClass: 1,
                                         withinAlphabet: task.withinAlphabet)
            let episodes = sampler.episodes(count: max(1, trials / task.ways), generator: &g)
            oneshot[task.key] = EmbeddingScores.episodes(episodes, embeddings: testEmbeddings, seed: seed + UInt64(index))
        }
        var report = EvaluationReport(model: model.config.summary, threshold: threshold, verification: verification,
                                      verificationSameAlphabet: sameAlphabet, oneshot: oneshot)
        report.testDistances = testDistances
        report.testSame = testPairs.map(\.isSame)
        report.testPairs = testPairs
        return report
    }
}
