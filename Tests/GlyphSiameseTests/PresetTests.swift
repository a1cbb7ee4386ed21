import Foundation
import GlyphEngine
@testable import GlyphSiamese
import Testing

@Suite struct PresetTests {
    @Test func fewerPoolsKeepTheLastMap() throws {
        let conv4 = try Towers.make(ModelConfig(preset: .fast, imageSize: 28, width: 8, embeddingSize: 0))
        #expect(try conv4.outputShape(for: [2, 1, 28, 28]) == [2, 8])
        let three = try Towers.make(ModelConfig(preset: .fast, imageSize: 28, width: 8, embeddingSize: 16, pools: 3))
        #expect(three.layers.filter { $0 is MaxPool2D }.count == 3)
        #expect(try three.outputShape(for: [2, 1, 28, 28]) == [2, 16])
        let dense = try #require(three.layers.compactMap { $0 as? Dense }.first)
        #expect(dense.parameters[0].value.shape.contains(8 * 3 * 3))
        #expect(throws: SiameseError.self) { try Towers.make(ModelConfig(preset: .fast, pools: 5)) }
    }

    @Test func blocksCanHaveTheirOwnWidths() throws {
        let tower = try Towers.make(ModelConfig(preset: .fast, imageSize: 28, embeddingSize: 16, widths: [4, 6, 8, 10]))
        let convs = tower.layers.compactMap { $0 as? Conv2D }
        #expect(convs.map { $0.parameters[0].value.shape } == [[4, 1, 3, 3], [6, 4, 3, 3], [8, 6, 3, 3], [10, 8, 3, 3]])
        #expect(try tower.outputShape(for: [2, 1, 28, 28]) == [2, 16])
        #expect(ModelConfig(preset: .fast, widths: [4, 6, 8, 10]).summary.contains("widths 4-6-8-10"))
        #expect(throws: SiameseError.self) { try Towers.make(ModelConfig(preset: .fast, widths: [4, 6, 8])) }
        #expect(throws: SiameseError.self) { try Towers.make(ModelConfig(preset: .fast, widths: [4, 0, 8, 8])) }
    }

    @Test func configurationsSavedBeforeNewOptionsStillLoad() throws {
        // A config.json written before `pools`, `widths`, `temperature` and `rotatedCharacters` existed.
        var config = TrainingConfig(model: ModelConfig(preset: .fast))
        config.rotatedCharacters = nil
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as! [String: Any]
        json.removeValue(forKey: "rotatedCharacters")
        json.removeValue(forKey: "temperature")
        var model = json["model"] as! [String: Any]
        model.removeValue(forKey: "pools")
        model.removeValue(forKey: "widths")
        json["model"] = model
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded.model.poolCount == 4 && decoded.model.blockWidths == [64, 64, 64, 64])
        #expect(decoded.temperature == nil && decoded.effectiveTemperature == 0.1)
        #expect(decoded.rotatedCharacters == nil)
    }

    @Test func presetDefaultsFollowTheSeedForKoch() {
        let koch = TrainingConfig(model: ModelConfig(preset: .koch))
        #expect(koch.loss == .contrastive && koch.learningRate == 0.01 && koch.momentum == 0)
        #expect(koch.schedule == .constant && koch.epochs == 20 && koch.batchSize == 256 && koch.optimizer == .sgd)
        let fast = TrainingConfig(model: ModelConfig(preset: .fast), epochs: 12)
        #expect(fast.loss == .prototypical && fast.effectiveTemperature == 0.1 && fast.negatives == .sameAlphabet)
        #expect(fast.rotatedCharacters == true && fast.model.blockWidths == [64, 64, 192, 384])
        #expect(fast.model.imageSize == 32 && fast.imagesPerCharacter == 2 && fast.mirroredCharacters == nil)
        #expect(fast.schedule == .cosine(totalEpochs: 12, minimum: 0))
        let fastDefault = TrainingConfig(model: ModelConfig(preset: .fast))
        #expect(fastDefault.epochs == 30 && fastDefault.learningRate == 0.2)
        var triplet = fastDefault
        triplet.loss = .triplet
        #expect(triplet.effectiveMargin == 0.3 && triplet.mining == .batchAll)
        #expect(fastDefault.schedule == .cosine(totalEpochs: 30, minimum: 0))
        #expect(TrainingConfig.defaultImagesPerCharacter(for: .triplet) == 4)
        #expect(TrainingConfig.defaultImagesPerCharacter(for: .contrastive) == 4)
    }
}
