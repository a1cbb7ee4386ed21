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

    /// The course report's Table 1 accuracies (TensorFlow 2.5, 2021), printed beside a model's.
    public static let courseReportAccuracy = (train: 0.9602, test: 0.9543, trainAndTest: 0.9458)

    public var model: String
    /// The model's one decision threshold on the embedding distance (chosen on validation
    /// characters only): the one `compare`, `search` and `serve` use too.
    public var threshold: Float
    /// Where the threshold came from: `model` (saved in the checkpoint by training or
    /// `glyphsim calibrate`) or `validation` (the model had none; chosen here on validation pairs).
    public var thresholdSource: String
    public var verification: Verification
    /// The same table with negatives drawn only from the character's own alphabet.
    public var verificationSameAlphabet: Verification
    /// Keys such as `20way_1shot_within`, `20way_1shot_across`, `5way_1shot_across`, `20way_5shot_across`.
    public var oneshot: [String: AccuracyEstimate]
    /// Retrieval on the test split (every image a query against all others).
    public var retrieval: RetrievalScores
    /// What the evaluation had to adapt to the data (tasks capped or left out), one line each.
    public var notes: [String] = []
    /// Distances of the test split's pairs, for the report's histogram and ROC curve (not in --json).
    public var testDistances: [Float] = []
    public var testSame: [Bool] = []
    /// The test split's pairs (image indices into `splits.test`), parallel to `testDistances`.
    public var testPairs: [LabeledPair] = []

    enum CodingKeys: String, CodingKey {
        case model, threshold, verification, oneshot, retrieval, notes
        case thresholdSource = "threshold_source"
        case verificationSameAlphabet = "verification_same_alphabet"
        case rocAUC = "roc_auc"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(thresholdSource, forKey: .thresholdSource)
        try c.encode(verification, forKey: .verification)
        try c.encode(verification.rocAUC, forKey: .rocAUC)
        try c.encode(verificationSameAlphabet, forKey: .verificationSameAlphabet)
        try c.encode(oneshot, forKey: .oneshot)
        try c.encode(retrieval, forKey: .retrieval)
        try c.encode(notes, forKey: .notes)
    }
}

/// Judges a model the way the course report did (pair verification, Table 1) and the way the
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

        // One threshold: the model's own. Only a model that has none (never validated) gets one
        // here, from validation pairs, never from the pairs being scored.
        let threshold: Float, thresholdSource: String
        if let saved = model.threshold {
            (threshold, thresholdSource) = (saved, "model")
        } else {
            (threshold, thresholdSource) = (Self.chooseThreshold(validation: validation, embeddings: validationEmbeddings,
                                                                 seed: seed), "validation")
        }

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
        let (tasks, notes) = Self.tasks(fitting: test)
        for (index, task) in tasks {
            progress("scoring \(task.key)")
            var g = SeededGenerator(seed: seed).derived(100 + UInt64(index))
            let sampler = EpisodeSampler(dataset: test, ways: task.ways, shots: task.shots, queriesPerClass: 1,
                                         withinAlphabet: task.withinAlphabet)
            let episodes = sampler.episodes(count: max(1, trials / task.ways), generator: &g)
            oneshot[task.key] = EmbeddingScores.episodes(episodes, embeddings: testEmbeddings, seed: seed + UInt64(index))
        }
        var kochGenerator = SeededGenerator(seed: seed).derived(0x0C0C)
        if let episodes = KochProtocol.episodes(test, generator: &kochGenerator) {
            progress("scoring \(KochProtocol.key)")
            oneshot[KochProtocol.key] = EmbeddingScores.episodes(episodes, embeddings: testEmbeddings, seed: seed &+ 0x0C0C)
        }
        progress("scoring retrieval")
        let retrieval = RetrievalScores.score(testEmbeddings, labels: test.labels)
        var report = EvaluationReport(model: model.config.summary, threshold: threshold, thresholdSource: thresholdSource,
                                      verification: verification, verificationSameAlphabet: sameAlphabet,
                                      oneshot: oneshot, retrieval: retrieval, notes: notes)
        report.testDistances = testDistances
        report.testSame = testPairs.map(\.isSame)
        report.testPairs = testPairs
        return report
    }

    /// The threshold that maximizes pair accuracy on the course report's pairs (5 same, 5 different
    /// per character) of the validation characters. Used by `calibrate` and for models without one.
    public static func chooseThreshold(validation: GlyphDataset, embeddings: Embeddings, seed: UInt64) -> Float {
        var generator = SeededGenerator(seed: seed)
        let pairs = VerificationPairs.make(validation, negatives: .anywhere, generator: &generator)
        return bestThreshold(distances: EmbeddingScores.distances(of: pairs, in: embeddings), same: pairs.map(\.isSame))
    }

    /// The standard tasks as far as `test` can hold them: N is capped at the classes the data
    /// has (in one group, for within-group tasks), and a task that cannot be drawn at all (fewer
    /// than two classes, or one group only for a within-group task) is left out. Omniglot's
    /// evaluation set holds every standard task as it is. Returns each task with its index among
    /// the standard tasks (which seeds its episodes) and one note per change.
    public static func tasks(fitting test: GlyphDataset) -> (tasks: [(Int, Task)], notes: [String]) {
        var result = [(Int, Task)](), notes = [String](), seen = Set<String>()
        let groups = Set(test.characters.map(\.alphabet)).count
        for (index, standard) in standardTasks.enumerated() {
            let needed = standard.shots + 1
            let eligible = test.imagesOfCharacter.indices.filter { test.imagesOfCharacter[$0].count >= needed }
            var largestGroup = 0
            if standard.withinAlphabet {
                var perGroup = [String: Int]()
                for c in eligible { perGroup[test.characters[c].alphabet, default: 0] += 1 }
                largestGroup = perGroup.values.max() ?? 0
            }
            if standard.withinAlphabet && groups < 2 {
                if seen.insert("within").inserted {
                    notes.append("within-group tasks left out: the test classes form a single group")
                }
                continue
            }
            let available = standard.withinAlphabet ? largestGroup : eligible.count
            var task = standard
            task.ways = min(standard.ways, available)
            guard task.ways >= 2 else {
                notes.append("\(standard.key) left out: the test split has \(available) classes with \(needed) images"
                             + (standard.withinAlphabet ? " in any one group" : ""))
                continue
            }
            if task.ways < standard.ways {
                notes.append("\(standard.key) capped at \(task.ways) ways: the test split has \(available) classes with "
                             + "\(needed) images" + (standard.withinAlphabet ? " in its largest group" : ""))
            }
            guard seen.insert(task.key).inserted else { continue }
            result.append((index, task))
        }
        return (result, notes)
    }
}
