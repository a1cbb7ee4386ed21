import Foundation
import GlyphData
import GlyphEngine
@testable import GlyphSiamese
import Testing

/// config.json is written with snake_case keys and `course-report` splits; run folders written
/// before (camelCase keys, `"splits": "seed"`, the committed fixtures in Tests/Fixtures) still load.
@Suite struct ConfigFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/old-run-folders")

    @Test func configJSONIsWrittenInSnakeCaseAndReadBack() throws {
        var config = TrainingConfig(model: ModelConfig(preset: .fast))
        config.data = .folder
        config.classSplit = ClassSplitPlan(validationFraction: 0.25, testFraction: 0.2, seed: 3)
        config.initializedFrom = "x.safetensors"
        config.schedule = .step(everyEpochs: 2, factor: 0.5)
        let data = try config.fileJSON()
        let text = String(decoding: data, as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["batch_size", "images_per_character", "learning_rate", "rotated_characters", "class_split", "initialized_from"] {
            #expect(object[key] != nil, "\(key) missing from \(text)")
        }
        #expect(object["splits"] as? String == "course-report")
        let model = try #require(object["model"] as? [String: Any])
        #expect(model["image_size"] as? Int == 32 && model["embedding_size"] as? Int == 128)
        #expect((model["preprocessing"] as? [String: Any])?["normalizes_paper"] as? Bool == true)
        #expect((object["class_split"] as? [String: Any])?["validation_fraction"] as? Double == 0.25)
        // No camelCase key anywhere in the file.
        #expect(text.range(of: #""[a-z]+[A-Z][A-Za-z]*" :"#, options: .regularExpression) == nil, "\(text)")
        #expect(try TrainingConfig.decode(data) == config)
    }

    @Test func anOldOmniglotRunFolderStillLoads() throws {
        let config = try RunFolder(Self.fixtures.appendingPathComponent("omniglot")).readConfig()
        #expect(config.splits == .courseReport)
        #expect(config.batchSize == 256 && config.imagesPerCharacter == 2 && config.learningRate == 0.2)
        #expect(config.model.imageSize == 32 && config.model.blockWidths == [64, 64, 192, 384])
        #expect(config.negatives == .sameAlphabet && config.mining == .batchAll && config.rotatedCharacters == true)
        #expect(config.schedule == .cosine(totalEpochs: 30, minimum: 0))
        // Read, it is the configuration the fast preset's defaults make today (the fixture is
        // the default run's config.json): every field reached its property.
        var expected = TrainingConfig(model: ModelConfig(preset: .fast))
        expected.model.preprocessing = nil
        expected.rotatedCharacters = true
        #expect(config == expected)
    }

    @Test func anOldFolderRunWithItsSnakeCaseClassSplitStillLoads() throws {
        let config = try RunFolder(Self.fixtures.appendingPathComponent("folder")).readConfig()
        #expect(config.data == .folder)
        #expect(config.classSplit == ClassSplitPlan(validationFraction: 0.25, testFraction: 0.2, seed: 3))
        #expect(config.initializedFrom?.hasPrefix("runs/demo/best.safetensors") == true)
        #expect(config.model.preprocessing?.normalizesPaper == true && config.model.preprocessing?.cropMargin == 0.27)
        #expect(config.schedule == .step(everyEpochs: 1, factor: 0.5))
        #expect(config.loss == .triplet && config.mining == .batchHard && config.squaredHinge && config.temperature == 0.2)
        #expect(config.splits == .courseReport && config.seed == 7)
        // Written again, it comes back equal, in the new spelling.
        #expect(try TrainingConfig.decode(config.fileJSON()) == config)
    }

    @Test func splitSchemeNamesOldAndNew() throws {
        #expect(SplitScheme(name: "seed") == .courseReport)
        #expect(SplitScheme(name: "course-report") == .courseReport)
        #expect(SplitScheme(name: "koch") == .koch)
        #expect(SplitScheme(name: "nonsense") == nil)
        let bad = Data(#"{"splits": "nonsense"}"#.utf8)
        struct Holder: Decodable { var splits: SplitScheme }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Holder.self, from: bad) }
    }
}
