import GlyphData
import GlyphEngine

/// The trainer's guards against a run that cannot work: batches the data cannot give (checked
/// before the first step, so no loop waits for them) and parameters gone non-finite (checked
/// after every update and before every save, so a diverged model is never written).
extension Trainer {
    /// Throws when the samplers this configuration uses cannot draw from these splits,
    /// saying what the data holds and what was asked.
    static func checkFeasible(config: TrainingConfig, train: GlyphDataset, validation: GlyphDataset) throws {
        switch config.makeLoss().layout {
        case .classBatch:
            let k = config.imagesPerCharacter
            try ClassBatchSampler(dataset: train, charactersPerBatch: config.batchSize / k, imagesPerCharacter: k).check()
        case .triplets:
            try TripletSampler(dataset: train, negatives: config.negatives).check()
        case .pairs:
            try PairSampler(dataset: train, negatives: config.negatives).check()
        }
        do {
            try PairSampler(dataset: validation, negatives: .anywhere).check()
            try EpisodeSampler(dataset: validation, ways: min(20, validation.characters.count), shots: 1,
                               queriesPerClass: 1, withinAlphabet: false).check()
        } catch let error as DataError {
            throw SiameseError.invalidConfiguration("the validation split: \(error)")
        }
    }

    /// Throws `SiameseError.nonFiniteParameters` naming the first parameter or buffer that
    /// holds NaN or infinity (`step` and `epoch` 1-based, for the message).
    func checkParametersFinite(step: Int, epoch: Int) throws {
        if let name = FiniteCheck.firstNonFinite(model.tower.parameters + model.tower.buffers) {
            throw SiameseError.nonFiniteParameters(tensor: name, step: step, epoch: epoch)
        }
    }
}
