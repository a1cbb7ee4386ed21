import GlyphEngine

extension ContrastiveLoss {
    /// The contrastive loss over **every pair** of a labelled batch (P characters x K images),
    /// the way pytorch-metric-learning's `ContrastiveLoss` uses a batch: the same eq. (1) terms,
    /// 1/2 D^2 for each same-character pair and 1/2 max(0, m - D)^2 for each different one,
    /// but all N(N-1)/2 pairs of the batch instead of N/2 disjoint ones, so one forward pass
    /// yields far more signal.
    ///
    /// Reduction: the mean over the same-character pairs plus the mean over the *active*
    /// different pairs (those with D < m). Most different pairs are easy and contribute zero;
    /// averaging over all of them would shrink the gradient as the model improves (this is
    /// pytorch-metric-learning's `AvgNonZeroReducer`).
    func allPairs(embeddings: Tensor, classes: [Int]) throws -> LossOutput {
        let (n, _) = try embeddingMatrixShape(embeddings, group: 1, loss: "ContrastiveLoss")
        guard classes.count == n else {
            throw SiameseError.invalidConfiguration("ContrastiveLoss: \(classes.count) class ids for \(n) embedding rows")
        }
        let distances = pairwiseDistances(embeddings)
        var positives = 0, activeNegatives = 0, negatives = 0
        var positiveSum = 0.0, negativeSum = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let d = distances[i * n + j]
                if classes[i] == classes[j] {
                    positives += 1
                    positiveSum += Double(d)
                } else {
                    negatives += 1
                    negativeSum += Double(d)
                    if d < margin { activeNegatives += 1 }
                }
            }
        }
        guard positives > 0, negatives > 0 else {
            throw SiameseError.invalidConfiguration(
                "ContrastiveLoss: the batch needs same-character and different-character pairs (P >= 2, K >= 2)")
        }
        let positiveScale = 1 / Float(positives)
        let negativeScale = 1 / Float(max(activeNegatives, 1))
        var loss = 0.0
        var coefficients = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                let d = distances[i * n + j]
                if classes[i] == classes[j] {
                    loss += Double(0.5 * d * d * positiveScale)
                    coefficients[i * n + j] = d * positiveScale           // dL/dD of 1/2 D^2
                } else if d < margin {
                    let hinge = margin - d
                    loss += Double(0.5 * hinge * hinge * negativeScale)
                    coefficients[i * n + j] = -hinge * negativeScale      // dL/dD of 1/2 (m - D)^2
                }
            }
        }
        let gradient = gradientFromDistanceCoefficients(embeddings, distances: distances, coefficients: coefficients)
        let statistics = LossStatistics(
            activeFraction: Float(positives + activeNegatives) / Float(positives + negatives),
            meanPositiveDistance: Float(positiveSum / Double(positives)),
            meanNegativeDistance: Float(negativeSum / Double(negatives)),
            meanEmbeddingNorm: meanRowNorm(embeddings), count: positives + negatives)
        return LossOutput(loss: Float(loss), gradient: gradient, statistics: statistics)
    }
}
