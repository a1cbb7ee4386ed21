import Foundation
import GlyphData
import GlyphEngine
@testable import GlyphSiamese
import Testing

/// Short real training runs on a subset of Omniglot (GLYPHSIM_DATA).
@Suite(.serialized) struct TrainingTests {
    /// 120 background characters (96 train, 24 validation) and 40 evaluation characters, at 105.
    static func smallSplits() throws -> DataSplits {
        let folder = try TestData.folder
        let background = try Omniglot.load(.background, from: folder)
        let evaluation = try Omniglot.load(.evaluation, from: folder)
        let b = background.subset(characters: Array(stride(from: 0, to: 964, by: 8)))
        let e = evaluation.subset(characters: Array(stride(from: 0, to: 659, by: 16)))
        return makeSplits(background: b, evaluation: e, scheme: .courseReport, validationFraction: 0.2, seed: 1)
    }

    static func config(epochs: Int = 2) -> TrainingConfig {
        var c = TrainingConfig(model: ModelConfig(preset: .fast, imageSize: 28, width: 32, embeddingSize: 64), epochs: epochs)
        // Contrastive loss over every pair of P x K batches, constant rate: what these tests were written for.
        c.loss = .contrastive
        c.schedule = .constant
        c.negatives = .anywhere
        c.rotatedCharacters = false
        c.batchSize = 64
        c.imagesPerEpoch = 640
        c.learningRate = 0.05
        c.validationEpisodes = 200
        c.logEvery = 2
        c.seed = 11
        return c
    }

    func folder(_ name: String) -> RunFolder {
        RunFolder(FileManager.default.temporaryDirectory.appendingPathComponent("glyphsim-\(name)-\(UUID().uuidString)"))
    }

    func losses(_ f: RunFolder) throws -> [Double] {
        let text = try String(contentsOf: f.file(RunFolder.logFile), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(LogRow.self, from: Data($0.utf8)).loss }
    }

    @Test(.needsOmniglot, arguments: TrainingConfig.LossKind.allCases)
    func shortTrainingRaisesValidationAccuracyWellAboveChance(loss: TrainingConfig.LossKind) throws {
        let splits = try Self.smallSplits()
        let f = folder("learn")
        defer { try? FileManager.default.removeItem(at: f.url) }
        var config = Self.config(epochs: 3)
        config.loss = loss
        config.imagesPerEpoch = 1280
        let trainer = try Trainer(config: config, splits: splits, folder: f)
        try trainer.start()
        var summaries = [EpochSummary]()
        let outcome = try trainer.run { if case let .epochFinished(s) = $0 { summaries.append(s) } }
        #expect(outcome == .finished(epochs: 3))
        #expect(summaries.count == 3)
        // 20-way chance is 5%; pair-verification chance is 50%.
        let last = try #require(summaries.last)
        #expect(last.validationOneShot.accuracy > 0.25, "validation one-shot \(last.validationOneShot.accuracy)")
        #expect(last.validationPairAccuracy > 0.65, "validation pair accuracy \(last.validationPairAccuracy)")
        let model = try SiameseModel.load(from: f.file(RunFolder.bestCheckpoint))
        #expect(model.threshold != nil)
    }

    @Test(.needsOmniglot) func theSameSeedGivesTheSameLossCurve() throws {
        let splits = try Self.smallSplits()
        let a = folder("seed-a"), b = folder("seed-b"), c = folder("seed-c")
        defer { for f in [a, b, c] { try? FileManager.default.removeItem(at: f.url) } }
        for f in [a, b] {
            let t = try Trainer(config: Self.config(), splits: splits, folder: f)
            try t.start()
            try t.run()
        }
        var other = Self.config()
        other.seed = 12
        let t = try Trainer(config: other, splits: splits, folder: c)
        try t.start()
        try t.run()
        let la = try losses(a), lb = try losses(b), lc = try losses(c)
        #expect(la.count > 4)
        #expect(la == lb)
        #expect(la != lc)
    }

    @Test(.needsOmniglot) func resumeAfterAnInterruptionEndsWithIdenticalWeights() throws {
        let splits = try Self.smallSplits()
        let straight = folder("straight"), interrupted = folder("interrupted")
        defer { for f in [straight, interrupted] { try? FileManager.default.removeItem(at: f.url) } }
        let t1 = try Trainer(config: Self.config(), splits: splits, folder: straight)
        try t1.start()
        #expect(try t1.run() == .finished(epochs: 2))

        // Stop in the middle of the first epoch, then again in the middle of the second.
        var stops = [3, 14]
        var steps = 0
        let t2 = try Trainer(config: Self.config(), splits: splits, folder: interrupted)
        try t2.start()
        t2.shouldStop = { steps += 1; return stops.first == steps }
        #expect(try t2.run() == .interrupted(epoch: 1, step: 4))
        while !stops.isEmpty {
            stops.removeFirst()
            let resumed = try Trainer(config: Self.config(), splits: splits, folder: interrupted)
            try resumed.resume()
            resumed.shouldStop = { steps += 1; return stops.first == steps }
            let outcome = try resumed.run()
            if stops.isEmpty { #expect(outcome == .finished(epochs: 2)) }
        }
        let a = try Checkpoint.read(from: straight.file(RunFolder.lastCheckpoint))
        let b = try Checkpoint.read(from: interrupted.file(RunFolder.lastCheckpoint))
        #expect(a.tensors.count == b.tensors.count)
        for (name, tensor) in a.tensors { #expect(tensor == b.tensors[name], "\(name) differs") }
        // The log keeps only rows a checkpoint covered, so both runs logged the same epochs.
        let epochRows = { (f: RunFolder) in try String(contentsOf: f.file(RunFolder.logFile), encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("\"kind\":\"epoch\"") }.count }
        #expect(try epochRows(straight) == 2 && epochRows(interrupted) == 2)
    }

    @Test(.needsOmniglot) func divergenceStopsWithAClearErrorAndKeepsTheLastGoodCheckpoint() throws {
        let splits = try Self.smallSplits()
        let f = folder("nan")
        defer { try? FileManager.default.removeItem(at: f.url) }
        let config = Self.config(epochs: 2)
        let trainer = try Trainer(config: config, splits: splits, folder: f)
        try trainer.start()
        // Train one good epoch (it saves last.safetensors), then poison one weight with NaN.
        var finishedEpochs = 0
        trainer.shouldStop = { finishedEpochs > 0 }
        let first = try trainer.run { if case .epochFinished = $0 { finishedEpochs += 1 } }
        #expect(first == .interrupted(epoch: 2, step: 1))
        let before = try Checkpoint.read(from: f.file(RunFolder.lastCheckpoint))
        trainer.model.tower.parameters[0].value.scalars[0] = .nan
        trainer.shouldStop = { false }
        do {
            try trainer.run()
            Issue.record("a NaN weight did not stop training")
        } catch let error as SiameseError {
            guard case let .nonFiniteLoss(step, epoch, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(step == 1 && epoch == 2)
            #expect(error.description.contains("epoch 2, step 1"))
        }
        // The last good checkpoint is intact: same tensors as before, all finite.
        let after = try Checkpoint.read(from: f.file(RunFolder.lastCheckpoint))
        #expect(after.tensors == before.tensors)
        #expect(after.tensors.values.allSatisfy { $0.isFinite })
    }

    @Test(.needsOmniglot) func anotherModelsCheckpointIsRefusedOnResume() throws {
        let splits = try Self.smallSplits()
        let f = folder("foreign")
        defer { try? FileManager.default.removeItem(at: f.url) }
        var config = Self.config(epochs: 1)
        config.imagesPerEpoch = 64
        let trainer = try Trainer(config: config, splits: splits, folder: f)
        try trainer.start()
        try trainer.run()
        // A differently shaped model saved under the same name.
        let other = try SiameseModel(config: ModelConfig(preset: .fast, imageSize: 28, width: 16, embeddingSize: 64))
        try other.save(to: f.file(RunFolder.lastCheckpoint))
        let again = try Trainer(config: config, splits: splits, folder: f)
        #expect(throws: (any Error).self) { try again.resume() }
    }

    @Test(.needsOmniglot) func theKochPresetTrains() throws {
        let splits = try Self.smallSplits()
        let small = DataSplits(train: splits.train, validation: splits.validation.subset(characters: Array(0..<6)),
                               test: splits.test)
        let f = folder("koch")
        defer { try? FileManager.default.removeItem(at: f.url) }
        var config = TrainingConfig(model: ModelConfig(preset: .koch))
        config.epochs = 1
        config.batchSize = 12
        config.imagesPerEpoch = 24
        config.validationEpisodes = 6
        let trainer = try Trainer(config: config, splits: small, folder: f)
        try trainer.start()
        let before = trainer.model.tower.stateTensors()
        var losses = [Float]()
        let outcome = try trainer.run { if case let .step(_, _, _, loss, _, _) = $0 { losses.append(loss) } }
        #expect(outcome == .finished(epochs: 1))
        #expect(losses.count == 2 && losses.allSatisfy { $0.isFinite })
        let after = try Checkpoint.read(from: f.file(RunFolder.lastCheckpoint)).modelTensors
        #expect(after.count == before.count)
        #expect(after["12.weight"] != before["12.weight"], "the dense layer's weights did not move")
        let model = try SiameseModel.load(from: f.file(RunFolder.bestCheckpoint))
        #expect(model.config.preset == .koch && model.embeddingSize == 4096)
    }
}
