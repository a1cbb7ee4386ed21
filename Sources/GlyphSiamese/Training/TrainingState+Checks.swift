import GlyphEngine

extension TrainingState {
    /// Refuses a saved state no run of `epochs` epochs of `stepsPerEpoch` steps can be in (a
    /// negative step, an epoch beyond the run, a non-finite clock or threshold...), naming the
    /// file and the field, before the trainer indexes anything with it.
    func check(epochs: Int, stepsPerEpoch: Int, file: String) throws {
        func refuse(_ reason: String) -> EngineError {
            .checkpointUnreadable(file: file, reason: "training state (\(Self.metadataKey)): " + reason)
        }
        guard (0...epochs).contains(epoch) else { throw refuse("epoch \(epoch) is outside 0...\(epochs)") }
        let lastStep = epoch == epochs ? 0 : stepsPerEpoch - 1
        guard (0...lastStep).contains(step) else { throw refuse("step \(step) is outside 0...\(lastStep)") }
        guard elapsedSeconds.isFinite, elapsedSeconds >= 0 else { throw refuse("elapsedSeconds \(elapsedSeconds) is not a finite duration") }
        guard bestOneShotAccuracy.isFinite, (-1...1).contains(bestOneShotAccuracy) else {
            throw refuse("bestOneShotAccuracy \(bestOneShotAccuracy) is outside [-1, 1]")
        }
        guard (0...epoch).contains(bestEpoch) else { throw refuse("bestEpoch \(bestEpoch) is outside 0...\(epoch)") }
        guard (0...epoch).contains(epochsWithoutImprovement) else {
            throw refuse("epochsWithoutImprovement \(epochsWithoutImprovement) is outside 0...\(epoch)")
        }
        guard logRows >= 0 else { throw refuse("logRows \(logRows) is negative") }
        if let threshold { guard threshold.isFinite, threshold >= 0 else { throw refuse("threshold \(threshold) is not a finite distance") } }
        guard epochLossSum.isFinite else { throw refuse("epochLossSum \(epochLossSum) is not finite") }
        guard (0...step).contains(epochLossSteps) else { throw refuse("epochLossSteps \(epochLossSteps) is outside 0...\(step)") }
    }
}
