import GlyphData
import GlyphEngine
import GlyphRandom

/// One training step and the batches it takes.
extension Trainer {
    /// The images of one step and their class ids, in the loss's layout.
    struct Batch {
        var indices: [Int]
        var classes: [Int]
    }

    /// Every batch of one epoch, laid out as the loss reads them (`EmbeddingLoss.layout`) and
    /// drawn from a generator that depends only on the run's seed and the epoch, so a resumed
    /// run sees the same batches as an uninterrupted one.
    func sampleEpoch(_ epoch: Int, steps: Int) throws -> [Batch] {
        var generator = SeededGenerator(seed: config.seed).derived(UInt64(epoch) + 1)
        let indices: [[Int]]
        switch loss.layout {
        case .classBatch:
            let k = config.imagesPerCharacter
            let sampler = ClassBatchSampler(dataset: train, charactersPerBatch: config.batchSize / k, imagesPerCharacter: k,
                                            groupByAlphabet: config.negatives == .sameAlphabet)
            try sampler.check()  // an empty epoch would make the loop below spin forever
            var batches = [[Int]]()
            while batches.count < steps { batches += sampler.epoch(generator: &generator) }
            indices = Array(batches.prefix(steps))
        case .pairs:
            let sampler = PairSampler(dataset: train, negatives: config.negatives)
            indices = (0..<steps).map { _ in
                sampler.pairs(count: config.batchSize / 2, generator: &generator).flatMap { [$0.first, $0.second] }
            }
        case .triplets:
            let sampler = TripletSampler(dataset: train, negatives: config.negatives)
            indices = (0..<steps).map { _ in
                sampler.triplets(count: config.batchSize / 3, generator: &generator)
                    .flatMap { [$0.anchor, $0.positive, $0.negative] }
            }
        }
        return indices.map { Batch(indices: $0, classes: $0.map { train.labels[$0] }) }
    }

    /// The augmentation seed of one step, apart from the sampler's generator.
    func stepSeed(epoch: Int, step: Int) -> UInt64 {
        var g = SeededGenerator(seed: config.seed).derived(UInt64(1 << 32) + UInt64(epoch) << 20 + UInt64(step))
        return g.next()
    }

    /// Forward, loss, backward and update on one batch (the current `state.step`). Throws when
    /// the embeddings, the loss or the updated parameters are not finite.
    func step(_ batch: Batch, epoch: Int) throws -> LossOutput {
        let input = builder.batch(batch.indices, seed: stepSeed(epoch: epoch, step: state.step))
        let embeddings = try model.plan.forward(input, training: true)
        // NaN embeddings can hide behind a finite loss (distances clamp at 0), so check both.
        guard embeddings.isFinite else {
            throw SiameseError.nonFiniteLoss(step: state.step + 1, epoch: epoch + 1, value: .nan)
        }
        let output = try loss(embeddings: embeddings, classes: batch.classes)
        guard output.loss.isFinite, output.gradient.isFinite else {
            throw SiameseError.nonFiniteLoss(step: state.step + 1, epoch: epoch + 1, value: output.loss)
        }
        try model.plan.accumulateParameterGradients(output.gradient)
        optimizer.step(model.tower.parameters)
        model.tower.zeroGradients()
        try checkParametersFinite(step: state.step + 1, epoch: epoch + 1)
        return output
    }
}
