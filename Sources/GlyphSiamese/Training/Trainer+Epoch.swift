import GlyphData
import GlyphEngine
import GlyphRandom

/// The end of an epoch: validation, the best-so-far bookkeeping, the epoch's log row and the
/// checkpoints.
extension Trainer {
    /// Validates, logs and checkpoints the epoch whose steps `timing` covers, and moves the
    /// state to the next epoch. Throughput counts training steps only.
    func finishEpoch(_ timing: EpochTiming, clock: RunClock) throws -> EpochSummary {
        let epoch = state.epoch, steps = stepsPerEpoch
        let trainingRate = Double((steps - timing.firstStep) * config.batchSize) / max(clock.elapsed - timing.start, 1e-9)
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
        let now = clock.elapsed
        let meanLoss = state.epochLossSum / Double(max(state.epochLossSteps, 1))
        try log.append(LogRow(kind: "epoch", epoch: epoch + 1, step: steps, wallTime: now, loss: meanLoss,
                              learningRate: Double(optimizer.learningRate), imagesPerSecond: trainingRate,
                              validationPairAccuracy: pairAccuracy, validationOneShotAccuracy: oneShot.accuracy,
                              threshold: Double(threshold)))
        state.epoch += 1
        state.step = 0
        state.epochLossSum = 0
        state.epochLossSteps = 0
        state.threshold = threshold
        state.elapsedSeconds = now
        try checkParametersFinite(step: steps, epoch: epoch + 1)
        if isBest { try saveBest() }
        try saveLast()
        try writePlot()
        return EpochSummary(epoch: epoch + 1, meanLoss: meanLoss, seconds: now - timing.start,
                            imagesPerSecond: trainingRate, validationPairAccuracy: pairAccuracy,
                            validationOneShot: oneShot, threshold: threshold, isBest: isBest)
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
}
