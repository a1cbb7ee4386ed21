import Foundation
import GlyphData
import GlyphEngine
import GlyphRandom
@testable import GlyphSiamese
import Testing

@Suite struct EvaluatorTests {
    /// Episodes over 10 classes of 4 images each, embeddings given per image.
    func episodes(ways: Int, count: Int) -> [Episode] {
        let dataset = Self.dataset(classes: 10, images: 4)
        var g = SeededGenerator(seed: 5)
        return EpisodeSampler(dataset: dataset, ways: ways, shots: 1, queriesPerClass: 1, withinAlphabet: false)
            .episodes(count: count, generator: &g)
    }

    static func dataset(classes: Int, images: Int) -> GlyphDataset {
        let characters = (0..<classes).map { CharacterInfo(id: $0 + 1, alphabet: "A", set: .user, name: "c\($0)") }
        let labels = (0..<(classes * images)).map { $0 / images }
        return GlyphDataset(side: 1, characters: characters, ink: [UInt8](repeating: 0, count: labels.count),
                            labels: labels, drawings: labels.indices.map { $0 % images },
                            sources: labels.map { "c\($0)" })
    }

    @Test func aConstantModelScoresChanceAndAnOracleScoresPerfectly() {
        let eps = episodes(ways: 5, count: 400)
        let constant = Embeddings(dimension: 3, values: [Float](repeating: 0.5, count: 40 * 3))
        let chance = EmbeddingScores.episodes(eps, embeddings: constant, seed: 1)
        #expect(chance.trials == 2000)
        #expect(abs(chance.accuracy - 0.2) < 0.03, "constant model scored \(chance.accuracy), chance is 0.2")
        // The oracle: a one-hot embedding of each image's class.
        var oneHot = [Float](repeating: 0, count: 40 * 10)
        for i in 0..<40 { oneHot[i * 10 + i / 4] = 1 }
        let oracle = EmbeddingScores.episodes(eps, embeddings: Embeddings(dimension: 10, values: oneHot), seed: 1)
        #expect(oracle.accuracy == 1)
    }

    @Test func verificationPairsAreTenPerCharacterHalfSame() {
        let dataset = Self.dataset(classes: 30, images: 20)
        var g = SeededGenerator(seed: 1)
        let pairs = VerificationPairs.make(dataset, negatives: .anywhere, generator: &g)
        #expect(pairs.count == 300)
        #expect(pairs.filter(\.isSame).count == 150)
        for p in pairs {
            #expect(p.first != p.second)
            #expect((dataset.labels[p.first] == dataset.labels[p.second]) == p.isSame)
        }
    }

    /// The threshold comes from validation characters only: replacing the test split (the
    /// pairs being scored) does not move it, and replacing the validation split does.
    @Test(.needsOmniglot) func theThresholdIgnoresTheScoredPairs() throws {
        let folder = try TestData.folder
        let background = try Omniglot.load(.background, from: folder)
        let evaluation = try Omniglot.load(.evaluation, from: folder)
        let b = background.subset(characters: Array(0..<40)).resized(to: 28)
        let e = evaluation.subset(characters: Array(0..<40)).resized(to: 28)
        let model = try SiameseModel(config: ModelConfig(preset: .fast), seed: 2)
        func evaluate(validation: [Int], test: [Int]) throws -> EvaluationReport {
            let splits = DataSplits(train: b.subset(characters: Array(0..<20)), validation: b.subset(characters: validation),
                                    test: e.subset(characters: test))
            var evaluator = Evaluator(model: model, splits: splits)
            evaluator.trials = 40
            return try evaluator.run()
        }
        let r1 = try evaluate(validation: Array(20..<40), test: Array(0..<20))
        let r2 = try evaluate(validation: Array(20..<40), test: Array(20..<40))
        let r3 = try evaluate(validation: Array(25..<40), test: Array(0..<20))
        #expect(r1.threshold == r2.threshold)
        #expect(r1.threshold != r3.threshold)
        #expect(r1.verification.test.pairs == 200 && r1.verification.train.pairs == 400)
        #expect(r1.verification.trainAndTest.pairs == 600)
    }
}
