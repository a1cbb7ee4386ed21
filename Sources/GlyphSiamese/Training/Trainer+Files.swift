import Foundation
import GlyphEngine

/// The files an epoch leaves in the run folder: the checkpoints and the loss plot.
extension Trainer {
    func runMetadata() throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [ResumeGuard.configKey: String(decoding: try encoder.encode(config), as: UTF8.self),
                ResumeGuard.dataKey: dataFingerprint]
    }

    func saveLast() throws {
        try checkParametersFinite(step: state.step, epoch: state.epoch + 1)
        state.logRows = log.rows.count
        state.threshold = model.threshold
        var metadata = try runMetadata()
        metadata[TrainingState.metadataKey] = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        let optimizerState = optimizer.stateTensors(for: model.tower.parameters)
        try Interruption.whileWriting {
            try model.save(to: folder.file(RunFolder.lastCheckpoint), extraTensors: optimizerState, extraMetadata: metadata)
        }
    }

    func writePlot() throws {
        let title = "\(config.loss.rawValue) loss, \(config.model.summary)"
        try folder.writeAtomically(Data(LossPlot.svg(rows: log.rows, title: title).utf8), to: RunFolder.lossPlot)
    }

    /// The best checkpoint so far: the model alone (no optimizer state), with the run's metadata.
    func saveBest() throws {
        let metadata = try runMetadata()
        try Interruption.whileWriting { try model.save(to: folder.file(RunFolder.bestCheckpoint), extraMetadata: metadata) }
    }
}
