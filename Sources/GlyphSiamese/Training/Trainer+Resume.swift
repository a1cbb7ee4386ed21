import Foundation
import GlyphEngine

/// Starting a run in a new folder and resuming one from its last checkpoint.
extension Trainer {
    /// Starts a new run in an empty (or new) folder.
    public func start() throws {
        try folder.create()
        AtomicFileWriter.removeStaleTemporaries(in: folder.url)
        if FileManager.default.fileExists(atPath: folder.file(RunFolder.lastCheckpoint).path) {
            throw SiameseError.runFolder(path: folder.url.path,
                                         reason: "already holds a run; continue it with --resume or choose another --out")
        }
        try folder.writeConfig(config)
        log = TrainingLog(url: folder.file(RunFolder.logFile))
        try log.rewrite()
    }

    /// Whether the folder holds a checkpoint to resume from. A run stopped before its first
    /// checkpoint was complete (e.g. a second Ctrl-C during that write) has none; `resume()`
    /// then starts it from the beginning with its config.json.
    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: folder.file(RunFolder.lastCheckpoint).path) }

    /// Loads `last.safetensors`: weights, optimizer state and where the run stood, after
    /// `ResumeGuard` has checked that the checkpoint belongs to this configuration and data.
    public func resume() throws {
        let url = folder.file(RunFolder.lastCheckpoint)
        let saved = try folder.readConfig()
        guard saved == config else {
            throw SiameseError.runFolder(path: folder.url.path, reason: "cannot resume: config.json differs from the configuration being resumed: "
                + ResumeGuard.differences(requested: config, stored: saved))
        }
        AtomicFileWriter.removeStaleTemporaries(in: folder.url)
        guard hasCheckpoint else {
            log = TrainingLog(url: folder.file(RunFolder.logFile))
            try log.rewrite()
            return
        }
        let checkpoint = try Checkpoint.read(from: url)
        try ResumeGuard.check(requested: config, dataFingerprint: dataFingerprint, checkpoint: checkpoint, file: url.path)
        try model.tower.loadState(checkpoint.modelTensors, file: url.path)
        // The optimizer picks its own `optimizer.`-prefixed tensors out of the file.
        try optimizer.loadState(checkpoint.tensors, for: model.tower.parameters)
        guard let text = checkpoint.metadata[TrainingState.metadataKey],
              let saved = try? JSONDecoder().decode(TrainingState.self, from: Data(text.utf8)) else {
            throw EngineError.checkpointUnreadable(file: url.path, reason: "no training state in its metadata")
        }
        try saved.check(epochs: config.epochs, stepsPerEpoch: stepsPerEpoch, file: url.path)
        state = saved
        model.threshold = saved.threshold
        log = try TrainingLog.resume(url: folder.file(RunFolder.logFile), keeping: saved.logRows)
    }
}
