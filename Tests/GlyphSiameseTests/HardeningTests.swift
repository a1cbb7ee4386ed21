import Foundation
import GlyphData
import GlyphEngine
@testable import GlyphSiamese
import Testing

/// The Siamese floor's guards: configuration ranges before a tower is built, saved training
/// states no run can be in, and the resume guard's account of what differs.
@Suite struct SiameseHardeningTests {
    @Test func modelConfigurationsBeyondTheLimitsAreRefusedNamingTheField() throws {
        try ModelConfig(preset: .fast).validate()
        try ModelConfig(preset: .koch).validate()
        let cases: [(ModelConfig, String)] = [
            (ModelConfig(preset: .fast, widths: [64, 64, 192, 300_000]), "width"),
            (ModelConfig(preset: .fast, imageSize: 4096), "imageSize"),
            (ModelConfig(preset: .fast, imageSize: 8), "imageSize"),
            (ModelConfig(preset: .fast, embeddingSize: -1), "embeddingSize"),
            (ModelConfig(preset: .fast, pools: 7), "pools"),
            (ModelConfig(preset: .koch, imageSize: 64), "105"),
            (ModelConfig(preset: .fast, imageSize: 256, embeddingSize: 16_384, pools: 0, widths: [2048, 2048, 2048, 2048]), "parameters"),
        ]
        for (config, field) in cases {
            let error = #expect(throws: SiameseError.self) { try config.validate() }
            #expect(error?.description.contains(field) == true, "\(config.summary): \(String(describing: error))")
            // The tower is never built for it.
            #expect(throws: SiameseError.self) { try Towers.make(config) }
        }
    }

    @Test func trainingStatesNoRunCanBeInAreRefused() throws {
        try TrainingState().check(epochs: 3, stepsPerEpoch: 10, file: "last.safetensors")
        var states = [(TrainingState, String)]()
        var s = TrainingState(); s.step = -4; states.append((s, "step"))
        s = TrainingState(); s.step = 10; states.append((s, "step"))
        s = TrainingState(); s.epoch = 4; states.append((s, "epoch"))
        s = TrainingState(); s.epoch = -1; states.append((s, "epoch"))
        s = TrainingState(); s.threshold = .nan; states.append((s, "threshold"))
        s = TrainingState(); s.elapsedSeconds = .infinity; states.append((s, "elapsedSeconds"))
        s = TrainingState(); s.logRows = -1; states.append((s, "logRows"))
        for (state, field) in states {
            let error = #expect(throws: EngineError.self) { try state.check(epochs: 3, stepsPerEpoch: 10, file: "last.safetensors") }
            #expect(error?.description.contains(field) == true && error?.description.contains("last.safetensors") == true,
                    "\(String(describing: error))")
        }
    }

    @Test func theResumeGuardSaysWhichFieldsDiffer() {
        let a = TrainingConfig(model: ModelConfig(preset: .fast))
        var b = a
        b.learningRate = 0.5
        b.model.embeddingSize = 64
        let text = ResumeGuard.differences(requested: b, stored: a)
        #expect(text.contains("learning_rate: config.json 0.5, checkpoint 0.2"), "\(text)")
        #expect(text.contains("model.embedding_size: config.json 64, checkpoint 128"), "\(text)")
        #expect(ResumeGuard.differences(requested: a, stored: a).isEmpty)
    }

    @Test func optionsThatDivideOrAllocateAreRefusedBeforeUse() {
        var config = TrainingConfig(model: ModelConfig(preset: .fast))
        config.imagesPerCharacter = 0
        let zero = #expect(throws: SiameseError.self) { try config.validate() }
        #expect(zero?.description.contains("--images-per-character") == true)
        config = TrainingConfig(model: ModelConfig(preset: .fast))
        config.weightDecay = .nan
        #expect(throws: SiameseError.self) { try config.validate() }
        config = TrainingConfig(model: ModelConfig(preset: .fast))
        config.imagesPerEpoch = 1 << 40
        let huge = #expect(throws: SiameseError.self) { try config.validate() }
        #expect(huge?.description.contains("--images-per-epoch") == true)
    }
}
