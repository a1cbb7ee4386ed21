import Foundation

/// Where a run stands, saved in `last.safetensors` so that `--resume` continues exactly.
struct TrainingState: Codable, Equatable {
    /// Next epoch and step to run, both 0-based.
    var epoch = 0
    var step = 0
    var elapsedSeconds = 0.0
    var bestOneShotAccuracy = -1.0
    var bestEpoch = 0
    var epochsWithoutImprovement = 0
    /// Rows of log.jsonl that this state covers (rows after them are dropped on resume).
    var logRows = 0
    var threshold: Float?
    /// Sum and count of the current epoch's step losses so far.
    var epochLossSum = 0.0
    var epochLossSteps = 0

    static let metadataKey = "glyphsim.training"
}
