import Foundation
import GlyphData
import GlyphEngine
import GlyphSiamese
import Testing

/// The code of the DocC article "Training from Swift" (Sources/GlyphSiamese/GlyphSiamese.docc/
/// TrainingFromSwift.md), line for line but for the folders, with checks of what the article
/// says it does. Change both together.
@Suite("DocC: Training from Swift")
struct TrainingFromSwiftSnippetTests {
    @Test(.needsOmniglot) func theArticlesRunTrainsIntoItsFolder() throws {
        let data = try TestData.folder
        let background = try Omniglot.load(.background, from: data).subset(characters: Array(0..<60))
        let evaluation = try Omniglot.load(.evaluation, from: data).subset(characters: Array(0..<20))
        let splits = makeSplits(background: background, evaluation: evaluation, scheme: .courseReport,
                                validationFraction: 0.3, seed: 1)

        var config = TrainingConfig(model: ModelConfig(preset: .fast, imageSize: 28, width: 16, embeddingSize: 32),
                                    epochs: 1)
        config.imagesPerEpoch = 256
        config.batchSize = 64
        config.rotatedCharacters = false

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("glyphsim-docc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let folder = RunFolder(url)
        let trainer = try Trainer(config: config, splits: splits, folder: folder)
        try trainer.start()
        var summaries = [EpochSummary]()
        let outcome = try trainer.run { event in
            if case let .epochFinished(summary) = event {
                print("epoch \(summary.epoch): loss \(summary.meanLoss), one-shot \(summary.validationOneShot.accuracy)")
                summaries.append(summary)
            }
        }
        #expect(outcome == .finished(epochs: 1))
        #expect(summaries.count == 1 && summaries[0].meanLoss.isFinite)
        for file in [RunFolder.configFile, RunFolder.logFile, RunFolder.lossPlot, RunFolder.bestCheckpoint, RunFolder.lastCheckpoint] {
            #expect(FileManager.default.fileExists(atPath: folder.file(file).path), "\(file)")
        }
        let model = try SiameseModel.load(from: folder.file(RunFolder.bestCheckpoint))
        #expect(model.config.embeddingSize == 32)
    }

    @Test func theArticlesLossOnItsOwn() throws {
        let embeddings = Tensor(shape: [6, 2], scalars: [0, 0, 0.1, 0, 1, 1, 1, 0.9, -1, 0, -0.9, 0])
        let classes = [0, 0, 1, 1, 2, 2]
        let loss = TripletLoss(margin: 0.3, triplets: .mined(.batchHard))
        let output = try loss(embeddings: embeddings, classes: classes)
        print(output.loss, output.statistics.activeFraction)   // output.gradient has the embeddings' shape
        #expect(output.gradient.shape == embeddings.shape)
        // Each character's two rows lie 0.1 apart, other characters at least 0.9: no triplet is active at margin 0.3.
        #expect(output.loss == 0 && output.statistics.activeFraction == 0)
        #expect(output.statistics.count == 6)
    }
}
