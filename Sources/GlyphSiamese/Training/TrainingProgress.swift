import Foundation

/// Seconds of training since the run began; a resumed run continues the clock it saved.
struct RunClock {
    let start: Double

    init(alreadyElapsed: Double) {
        start = Date().timeIntervalSince1970 - alreadyElapsed
    }

    var elapsed: Double { Date().timeIntervalSince1970 - start }
}

/// When an epoch's steps began and from which step (a resumed epoch starts midway).
struct EpochTiming {
    var start: Double
    var firstStep: Int

    /// Mean seconds per step so far, for the time left in the epoch.
    func secondsPerStep(at now: Double, step: Int) -> Double {
        (now - start) / Double(step - firstStep)
    }
}

/// The steps since the last step row of the log: their losses and statistics, summed, become
/// one `LogRow` of means, so a long run logs one row per `logEvery` steps.
struct StepWindow {
    let start: Double
    private(set) var steps = 0
    private(set) var images = 0
    private var loss = 0.0, activeFraction = 0.0
    private var positiveDistance = 0.0, negativeDistance = 0.0, embeddingNorm = 0.0

    init(start: Double) { self.start = start }

    mutating func add(_ output: LossOutput, images batchImages: Int) {
        loss += Double(output.loss)
        activeFraction += Double(output.statistics.activeFraction)
        positiveDistance += Double(output.statistics.meanPositiveDistance)
        negativeDistance += Double(output.statistics.meanNegativeDistance)
        embeddingNorm += Double(output.statistics.meanEmbeddingNorm)
        steps += 1
        images += batchImages
    }

    func imagesPerSecond(at now: Double) -> Double {
        Double(images) / max(now - start, 1e-9)
    }

    func row(epoch: Int, step: Int, at now: Double, learningRate: Double) -> LogRow {
        let n = Double(steps)
        return LogRow(kind: "step", epoch: epoch, step: step, wallTime: now, loss: loss / n,
                      learningRate: learningRate, imagesPerSecond: imagesPerSecond(at: now),
                      activeFraction: activeFraction / n, meanPositiveDistance: positiveDistance / n,
                      meanNegativeDistance: negativeDistance / n, meanEmbeddingNorm: embeddingNorm / n)
    }
}
