import Foundation
import GlyphData
import GlyphEngine
import GlyphRandom
import Logging

/// Trains a Siamese tower on the training split with one `EmbeddingLoss`.
///
/// One step (`Trainer+Step.swift`): a batch laid out the way the loss reads it (pairs,
/// triplets or P x K images, seeded by epoch), augmented, run through the one tower, the loss
/// and its gradient with respect to the embeddings, the tower backward and an update. After
/// each epoch (`Trainer+Epoch.swift`): validation pair accuracy and 20-way one-shot accuracy
/// on the held-out characters, checkpoints, a log row and the loss plot (`Trainer+Files.swift`).
/// The trainer owns this loop and nothing else.
public final class Trainer {
    public let config: TrainingConfig
    public let folder: RunFolder
    public let model: SiameseModel
    /// Asked after every step; when it returns true the trainer saves and returns `.interrupted`.
    public var shouldStop: () -> Bool = { Interruption.isRequested }
    public var logger = Logger(label: "glyphsim.train")

    let train: GlyphDataset
    /// Images of the training split before class augmentation: the default epoch size.
    let trainImagesPerEpoch: Int
    let validation: GlyphDataset
    let optimizer: any Optimizer
    /// The loss of every step; its `layout` picks the sampler (`sampleEpoch`).
    let loss: any EmbeddingLoss
    let builder: BatchBuilder
    var state = TrainingState()
    var log: TrainingLog
    /// The `DataFingerprint` of the training and validation splits, saved in checkpoints.
    let dataFingerprint: String
    /// True when the weights came from a trained model (`initialModel`).
    let isFineTuning: Bool

    /// The weights `initialModel` holds, when given, are where training starts (fine-tuning);
    /// its architecture must be the one `config.model` describes. Such a run scores the starting
    /// model on validation first, so its best checkpoint is never worse there than where it began.
    public init(config: TrainingConfig, splits: DataSplits, folder: RunFolder, initialModel: SiameseModel? = nil) throws {
        try config.validate()
        self.config = config
        self.folder = folder
        let side = config.model.imageSize
        let train = splits.train.side == side ? splits.train : splits.train.resized(to: side)
        self.trainImagesPerEpoch = train.imageCount
        let turned = config.rotatedCharacters == true ? train.withRotatedCharacters() : train
        self.train = config.mirroredCharacters == true ? turned.withMirroredCharacters() : turned
        self.validation = splits.validation.side == side ? splits.validation : splits.validation.resized(to: side)
        guard train.characters.count >= 2, validation.characters.count >= 2 else {
            throw SiameseError.invalidConfiguration("the training and validation splits need at least 2 characters each")
        }
        self.dataFingerprint = DataFingerprint.of([train, self.validation])
        try Self.checkFeasible(config: config, train: self.train, validation: self.validation)
        self.model = try SiameseModel(config: config.model, seed: config.seed)
        if let initialModel {
            guard initialModel.config.architectureMatches(config.model) else {
                throw SiameseError.invalidConfiguration(
                    "the starting model is \(initialModel.config.summary), but the run describes \(config.model.summary)")
            }
            try model.tower.loadState(initialModel.tower.stateTensors(), file: config.initializedFrom ?? "the starting model")
            model.threshold = initialModel.threshold
        }
        self.isFineTuning = initialModel != nil
        self.loss = config.makeLoss()
        self.builder = BatchBuilder(dataset: self.train, augmentation: config.augment ? AffineAugmentation() : nil)
        optimizer = config.optimizer.make(learningRate: config.learningRate, momentum: config.momentum,
                                          nesterov: config.nesterov, weightDecay: config.weightDecay)
        optimizer.allocateState(for: model.tower.parameters)  // below the activations in the heap
        self.log = TrainingLog(url: folder.file(RunFolder.logFile))
    }

    public var stepsPerEpoch: Int {
        let images = config.imagesPerEpoch ?? trainImagesPerEpoch
        return max(1, (images + config.batchSize - 1) / config.batchSize)
    }

    // MARK: The loop

    /// Trains until the last epoch, early stopping or a stop request (`shouldStop`), saving
    /// before it returns, and reports progress through `events`.
    @discardableResult
    public func run(events: (TrainingEvent) -> Void = { _ in }) throws -> TrainingOutcome {
        events(.started(plan))
        let clock = RunClock(alreadyElapsed: state.elapsedSeconds)
        if isFineTuning && state.epoch == 0 && state.step == 0 && state.bestOneShotAccuracy < 0 {
            try scoreStartingModel(at: clock.elapsed)
        }
        var collapse = CollapseDetector(margin: config.effectiveMargin)
        while state.epoch < config.epochs {
            guard let timing = try trainEpoch(clock: clock, collapse: &collapse, events: events) else {
                return .interrupted(epoch: state.epoch + 1, step: state.step + 1)
            }
            events(.epochFinished(try finishEpoch(timing, clock: clock)))
            guard state.epoch < config.epochs else { break }
            if config.earlyStoppingPatience > 0 && state.epochsWithoutImprovement >= config.earlyStoppingPatience {
                return .stoppedEarly(epoch: state.epoch)
            }
            if shouldStop() { return .interrupted(epoch: state.epoch + 1, step: 1) }
        }
        return .finished(epochs: state.epoch)
    }

    /// Runs the rest of the current epoch's steps, logging every `logEvery` steps. Returns nil
    /// when a stop was requested before its last step (the run is then saved).
    func trainEpoch(clock: RunClock, collapse: inout CollapseDetector,
                    events: (TrainingEvent) -> Void) throws -> EpochTiming? {
        let epoch = state.epoch, steps = stepsPerEpoch
        optimizer.learningRate = config.schedule.learningRate(base: config.learningRate, epoch: epoch)
        let batches = try sampleEpoch(epoch, steps: steps)
        let timing = EpochTiming(start: clock.elapsed, firstStep: state.step)
        var window = StepWindow(start: timing.start)
        while state.step < steps {
            let batch = batches[state.step]
            let output = try step(batch, epoch: epoch)
            state.step += 1
            state.epochLossSum += Double(output.loss)
            state.epochLossSteps += 1
            window.add(output, images: batch.indices.count)
            let now = clock.elapsed
            events(.step(epoch: epoch + 1, step: state.step, stepsPerEpoch: steps, loss: output.loss,
                         imagesPerSecond: window.imagesPerSecond(at: now),
                         secondsLeftInEpoch: timing.secondsPerStep(at: now, step: state.step) * Double(steps - state.step)))
            if let warning = collapse.observe(output.statistics) {
                try warn(warning, loss: output.loss, at: now, events: events)
            }
            if window.steps == config.logEvery || state.step == steps {
                try log.append(window.row(epoch: epoch + 1, step: state.step, at: now,
                                          learningRate: Double(optimizer.learningRate)))
                window = StepWindow(start: now)
            }
            if shouldStop() && state.step < steps {
                state.elapsedSeconds = clock.elapsed
                try saveLast()
                return nil
            }
        }
        return timing
    }

    /// The shape of the run, for the `.started` event.
    var plan: TrainingPlan {
        TrainingPlan(trainCharacters: train.characters.count, trainImages: train.imageCount,
                     validationCharacters: validation.characters.count, stepsPerEpoch: stepsPerEpoch,
                     epochs: config.epochs, startEpoch: state.epoch, startStep: state.step,
                     parameterCount: model.tower.parameterCount)
    }

    /// A warning (a collapse) goes to the logger, the caller and the log.
    func warn(_ warning: String, loss: Float, at now: Double, events: (TrainingEvent) -> Void) throws {
        logger.warning("\(warning)")
        events(.warning(warning))
        try log.append(LogRow(kind: "warning", epoch: state.epoch + 1, step: state.step, wallTime: now,
                              loss: Double(loss), learningRate: Double(optimizer.learningRate), message: warning))
    }
}
