/// What the trainer tells its caller as it goes (the CLI draws progress bars from these).
public enum TrainingEvent: Sendable {
    case started(TrainingPlan)
    case step(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Float, imagesPerSecond: Double, secondsLeftInEpoch: Double)
    case epochFinished(EpochSummary)
    case warning(String)
}

/// The shape of a run, known before its first step.
public struct TrainingPlan: Sendable {
    public var trainCharacters: Int
    public var trainImages: Int
    public var validationCharacters: Int
    public var stepsPerEpoch: Int
    public var epochs: Int
    public var startEpoch: Int
    public var startStep: Int
    public var parameterCount: Int
}

/// One epoch's figures, printed as one line and logged as one row.
public struct EpochSummary: Sendable {
    public var epoch: Int
    public var meanLoss: Double
    public var seconds: Double
    public var imagesPerSecond: Double
    public var validationPairAccuracy: Double
    public var validationOneShot: AccuracyEstimate
    public var threshold: Float
    public var isBest: Bool
}

/// How a call to `Trainer.run` ended.
public enum TrainingOutcome: Sendable, Equatable {
    case finished(epochs: Int)
    case stoppedEarly(epoch: Int)
    /// Stopped on request (Ctrl-C) after saving; `--resume` continues at this epoch and step (1-based).
    case interrupted(epoch: Int, step: Int)
}
