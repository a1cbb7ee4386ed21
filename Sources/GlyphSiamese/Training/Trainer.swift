import Foundation
import GlyphData
import GlyphEngine
import GlyphRandom
import Logging

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

/// Trains a Siamese tower on the training split with contrastive or triplet loss.
///
/// One step: sample a batch of pairs, triplets or P x K images (seeded by epoch), augment,
/// run the whole batch through the one tower, compute the loss and its gradient with respect
/// to the embeddings, run the tower backward and update. After each epoch: validation pair
/// accuracy and 20-way one-shot accuracy on the held-out characters, checkpoints, a log row
/// and the loss plot. The trainer owns this loop and nothing else.
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
        optimizer = config.optimizer.make(learningRate: config.learningRate, momentum: config.momentum,
                                          nesterov: config.nesterov, weightDecay: config.weightDecay)
        optimizer.allocateState(for: model.tower.parameters)  // below the activations in the heap
        self.log = TrainingLog(url: folder.file(RunFolder.logFile))
    }

    public var stepsPerEpoch: Int {
        let images = config.imagesPerEpoch ?? trainImagesPerEpoch
        return max(1, (images + config.batchSize - 1) / config.batchSize)
    }

    // MARK: Starting and resuming

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

    // MARK: The loop

    @discardableResult
    public func run(events: (TrainingEvent) -> Void = { _ in }) throws -> TrainingOutcome {
        let steps = stepsPerEpoch
        events(.started(TrainingPlan(trainCharacters: train.characters.count, trainImages: train.imageCount,
                                     validationCharacters: validation.characters.count, stepsPerEpoch: steps,
                                     epochs: config.epochs, startEpoch: state.epoch, startStep: state.step,
                                     parameterCount: model.tower.parameterCount)))
        let builder = BatchBuilder(dataset: train, augmentation: config.augment ? AffineAugmentation() : nil)
        var collapse = CollapseDetector(margin: config.effectiveMargin)
        let runStart = Date().timeIntervalSince1970 - state.elapsedSeconds
        func elapsed() -> Double { Date().timeIntervalSince1970 - runStart }
        if isFineTuning && state.epoch == 0 && state.step == 0 && state.bestOneShotAccuracy < 0 {
            try scoreStartingModel(at: elapsed())
        }

        while state.epoch < config.epochs {
            let epoch = state.epoch
            optimizer.learningRate = config.schedule.learningRate(base: config.learningRate, epoch: epoch)
            let batches = try sampleEpoch(epoch, steps: steps)
            let epochStart = elapsed()
            var windowLoss = 0.0, windowSteps = 0, windowActive = 0.0
            var windowPositive = 0.0, windowNegative = 0.0, windowNorm = 0.0
            var windowStart = elapsed(), windowImages = 0
            let firstStep = state.step
            while state.step < steps {
                let batch = batches[state.step]
                let input = builder.batch(batch.indices, seed: stepSeed(epoch: epoch, step: state.step))
                let embeddings = try model.plan.forward(input, training: true)
                // NaN embeddings can hide behind a finite loss (distances clamp at 0), so check both.
                guard embeddings.isFinite else {
                    throw SiameseError.nonFiniteLoss(step: state.step + 1, epoch: epoch + 1, value: .nan)
                }
                let output = try lossOutput(embeddings, batch)
                guard output.loss.isFinite, output.gradient.isFinite else {
                    throw SiameseError.nonFiniteLoss(step: state.step + 1, epoch: epoch + 1, value: output.loss)
                }
                try model.plan.accumulateParameterGradients(output.gradient)
                optimizer.step(model.tower.parameters)
                model.tower.zeroGradients()
                try checkParametersFinite(step: state.step + 1, epoch: epoch + 1)

                state.step += 1
                state.epochLossSum += Double(output.loss)
                state.epochLossSteps += 1
                windowLoss += Double(output.loss)
                windowActive += Double(output.statistics.activeFraction)
                windowPositive += Double(output.statistics.meanPositiveDistance)
                windowNegative += Double(output.statistics.meanNegativeDistance)
                windowNorm += Double(output.statistics.meanEmbeddingNorm)
                windowSteps += 1
                windowImages += batch.indices.count
                let now = elapsed()
                let rate = Double(windowImages) / max(now - windowStart, 1e-9)
                let secondsPerStep = (now - epochStart) / Double(state.step - firstStep)
                events(.step(epoch: epoch + 1, step: state.step, stepsPerEpoch: steps, loss: output.loss,
                             imagesPerSecond: rate, secondsLeftInEpoch: secondsPerStep * Double(steps - state.step)))
                if let warning = collapse.observe(output.statistics) {
                    logger.warning("\(warning)")
                    events(.warning(warning))
                    try log.append(LogRow(kind: "warning", epoch: epoch + 1, step: state.step, wallTime: now,
                                          loss: Double(output.loss), learningRate: Double(optimizer.learningRate),
                                          message: warning))
                }
                if windowSteps == config.logEvery || state.step == steps {
                    try log.append(LogRow(kind: "step", epoch: epoch + 1, step: state.step, wallTime: now,
                                          loss: windowLoss / Double(windowSteps),
                                          learningRate: Double(optimizer.learningRate), imagesPerSecond: rate,
                                          activeFraction: windowActive / Double(windowSteps),
                                          meanPositiveDistance: windowPositive / Double(windowSteps),
                                          meanNegativeDistance: windowNegative / Double(windowSteps),
                                          meanEmbeddingNorm: windowNorm / Double(windowSteps)))
                    windowLoss = 0; windowSteps = 0; windowActive = 0; windowImages = 0; windowStart = now
                    windowPositive = 0; windowNegative = 0; windowNorm = 0
                }
                if shouldStop() && state.step < steps {
                    state.elapsedSeconds = elapsed()
                    try saveLast()
                    return .interrupted(epoch: epoch + 1, step: state.step + 1)
                }
            }

            // End of epoch: validate, log, checkpoint. Throughput counts training steps only.
            let trainingRate = Double((steps - firstStep) * config.batchSize) / max(elapsed() - epochStart, 1e-9)
            let (pairAccuracy, threshold, oneShot) = try validate()
            guard threshold.isFinite else {
                throw SiameseError.nonFiniteLoss(step: steps, epoch: epoch + 1, value: threshold)
            }
            model.threshold = threshold
            let isBest = oneShot.accuracy > state.bestOneShotAccuracy
            if isBest {
                state.bestOneShotAccuracy = oneShot.accuracy
                state.bestEpoch = epoch + 1
                state.epochsWithoutImprovement = 0
            } else {
                state.epochsWithoutImprovement += 1
            }
            let now = elapsed()
            let meanLoss = state.epochLossSum / Double(max(state.epochLossSteps, 1))
            try log.append(LogRow(kind: "epoch", epoch: epoch + 1, step: steps, wallTime: now, loss: meanLoss,
                                  learningRate: Double(optimizer.learningRate),
                                  imagesPerSecond: trainingRate,
                                  validationPairAccuracy: pairAccuracy, validationOneShotAccuracy: oneShot.accuracy,
                                  threshold: Double(threshold)))
            let summary = EpochSummary(epoch: epoch + 1, meanLoss: meanLoss, seconds: now - epochStart,
                                       imagesPerSecond: trainingRate,
                                       validationPairAccuracy: pairAccuracy, validationOneShot: oneShot,
                                       threshold: threshold, isBest: isBest)
            state.epoch += 1
            state.step = 0
            state.epochLossSum = 0
            state.epochLossSteps = 0
            state.threshold = threshold
            state.elapsedSeconds = now
            try checkParametersFinite(step: steps, epoch: epoch + 1)
            if isBest {
                let metadata = try runMetadata()
                try Interruption.whileWriting { try model.save(to: folder.file(RunFolder.bestCheckpoint), extraMetadata: metadata) }
            }
            try saveLast()
            try writePlot()
            events(.epochFinished(summary))
            if config.earlyStoppingPatience > 0 && state.epochsWithoutImprovement >= config.earlyStoppingPatience
                && state.epoch < config.epochs {
                return .stoppedEarly(epoch: state.epoch)
            }
            if shouldStop() && state.epoch < config.epochs {
                return .interrupted(epoch: state.epoch + 1, step: 1)
            }
        }
        return .finished(epochs: state.epoch)
    }

    // MARK: Pieces of a step

    struct Batch {
        var indices: [Int]
        var dissimilar: [Bool] = []
        var labels: [Int] = []
    }

    /// Every batch of one epoch, drawn from a generator that depends only on the seed and the
    /// epoch, so a resumed run sees the same batches as an uninterrupted one.
    func sampleEpoch(_ epoch: Int, steps: Int) throws -> [Batch] {
        var generator = SeededGenerator(seed: config.seed).derived(UInt64(epoch) + 1)
        if config.usesClassBatches {
            let k = config.imagesPerCharacter
            let sampler = ClassBatchSampler(dataset: train, charactersPerBatch: config.batchSize / k, imagesPerCharacter: k,
                                            groupByAlphabet: config.negatives == .sameAlphabet)
            try sampler.check()  // an empty epoch would make the loop below spin forever
            var batches = [[Int]]()
            while batches.count < steps { batches += sampler.epoch(generator: &generator) }
            return batches.prefix(steps).map { Batch(indices: $0, labels: $0.map { train.labels[$0] }) }
        }
        switch config.loss {
        case .contrastive:
            let sampler = PairSampler(dataset: train, negatives: config.negatives)
            return (0..<steps).map { _ in
                let pairs = sampler.pairs(count: config.batchSize / 2, generator: &generator)
                return Batch(indices: pairs.flatMap { [$0.first, $0.second] }, dissimilar: pairs.map { !$0.isSame })
            }
        case .triplet:
            let sampler = TripletSampler(dataset: train, negatives: config.negatives)
            return (0..<steps).map { _ in
                let triplets = sampler.triplets(count: config.batchSize / 3, generator: &generator)
                return Batch(indices: triplets.flatMap { [$0.anchor, $0.positive, $0.negative] })
            }
        case .prototypical:
            preconditionFailure("the prototypical loss always trains on P x K batches (usesClassBatches)")
        }
    }

    func stepSeed(epoch: Int, step: Int) -> UInt64 {
        var g = SeededGenerator(seed: config.seed).derived(UInt64(1 << 32) + UInt64(epoch) << 20 + UInt64(step))
        return g.next()
    }

    func lossOutput(_ embeddings: Tensor, _ batch: Batch) throws -> LossOutput {
        switch config.loss {
        case .contrastive:
            let loss = ContrastiveLoss(margin: config.effectiveMargin)
            if config.pairMining == .all { return try loss(batchEmbeddings: embeddings, classes: batch.labels) }
            return try loss(embeddings: embeddings, dissimilar: batch.dissimilar)
        case .triplet:
            let loss = TripletLoss(margin: config.effectiveMargin, squared: config.squaredHinge, swap: config.swap)
            if config.mining == .random { return try loss(tripletEmbeddings: embeddings) }
            return try loss(embeddings: embeddings, labels: batch.labels, mining: config.mining)
        case .prototypical:
            return try PrototypicalLoss(temperature: config.effectiveTemperature)(embeddings: embeddings, labels: batch.labels)
        }
    }

    /// Epoch 0 of a fine-tuning run: the starting model's validation scores, logged and saved as
    /// the best checkpoint, so an epoch must beat the starting model to replace it.
    func scoreStartingModel(at time: Double) throws {
        let (pairAccuracy, threshold, oneShot) = try validate()
        model.threshold = threshold
        state.bestOneShotAccuracy = oneShot.accuracy
        state.threshold = threshold
        try log.append(LogRow(kind: "start", epoch: 0, step: 0, wallTime: time, loss: 0, learningRate: 0,
                              validationPairAccuracy: pairAccuracy, validationOneShotAccuracy: oneShot.accuracy,
                              threshold: Double(threshold)))
        try model.save(to: folder.file(RunFolder.bestCheckpoint), extraMetadata: runMetadata())
    }

    // MARK: Validation

    /// Pair accuracy (with the threshold that maximizes it on these validation pairs, which
    /// becomes the model's threshold) and 20-way 1-shot accuracy on validation characters.
    func validate() throws -> (pairAccuracy: Double, threshold: Float, oneShot: AccuracyEstimate) {
        let embeddings = try model.embed(validation)
        var generator = SeededGenerator(seed: config.seed).derived(0xA11D)
        let pairs = PairSampler(dataset: validation, negatives: .anywhere)
            .pairs(count: 10 * validation.characters.count, generator: &generator)
        let distances = EmbeddingScores.distances(of: pairs, in: embeddings)
        let same = pairs.map(\.isSame)
        let threshold = bestThreshold(distances: distances, same: same)
        let counts = verify(distances: distances, same: same, threshold: threshold)
        let ways = min(20, validation.characters.count)
        let episodes = EpisodeSampler(dataset: validation, ways: ways, shots: 1, queriesPerClass: 1, withinAlphabet: false)
            .episodes(count: max(1, config.validationEpisodes / ways), generator: &generator)
        let oneShot = EmbeddingScores.episodes(episodes, embeddings: embeddings, seed: config.seed)
        return (counts.accuracy, threshold, oneShot)
    }

    // MARK: Files

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
}
