import Foundation
import GlyphData
import GlyphEngine

/// The training configuration of a trained model, needed to score it on the right classes:
/// the run folder's `config.json`, else the copy every checkpoint of a run carries in its
/// metadata. A model without either is refused rather than scored on guessed splits (a
/// guessed split can put its training classes among the scored ones).
public enum RunConfiguration {
    public static let checkpointMetadataKey = "glyphsim.config"

    public static func read(forCheckpoint checkpoint: URL) throws -> TrainingConfig {
        let folder = RunFolder(checkpoint.deletingLastPathComponent())
        if FileManager.default.fileExists(atPath: folder.file(RunFolder.configFile).path) {
            return try folder.readConfig()
        }
        let saved = try Checkpoint.read(from: checkpoint)
        guard let text = saved.metadata[checkpointMetadataKey] else {
            throw SiameseError.runFolder(path: checkpoint.path,
                                         reason: "no \(RunFolder.configFile) beside it and no training configuration in its metadata: "
                                             + "cannot tell which classes it was trained on")
        }
        do {
            return try TrainingConfig.decode(Data(text.utf8))
        } catch {
            throw SiameseError.runFolder(path: checkpoint.path, reason: "unreadable training configuration in its metadata: \(error)")
        }
    }

    /// The data the run is scored on: the run's own split of `folder`. A folder of classes that
    /// the run was not trained on is split with `plan` (the run's own plan when it was trained on
    /// a folder of classes).
    public static func scoringData(for config: TrainingConfig, folder: URL, plan: ClassSplitPlan,
                                   skipBadImages: Bool = false,
                                   progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> TrainingData {
        var dataConfig = config
        if TrainingData.holdsOmniglot(folder) {
            dataConfig.data = .omniglot
        } else {
            dataConfig.data = .folder
            dataConfig.classSplit = config.data == .folder ? (config.classSplit ?? plan) : plan
        }
        return try TrainingData.load(from: folder, config: dataConfig, skipBadImages: skipBadImages, progress: progress)
    }
}
