import GlyphEngine

/// The contrastive loss of the seed report's eq. (1) (Hadsell, Chopra and LeCun 2006).
///
/// Layout: rows 2i and 2i+1 of the embeddings are pair i. Label convention (the seed's):
/// y = 0 for a **similar** pair (same character), y = 1 for a **dissimilar** pair:
///
///     y = 0:  L = 1/2 D^2
///     y = 1:  L = 1/2 max(0, m - D)^2
///
/// with D the Euclidean distance of the two embeddings and m the margin. The batch loss is
/// the **mean** over pairs (PyTorch's default reduction); the report wrote a sum, which is
/// the mean times the number of pairs and only rescales the learning rate.
/// At D = 0 the gradient uses the subgradient 0 (see `pairwiseDistances`), so a collapsed
/// dissimilar pair gives a finite (zero) gradient rather than NaN.
public struct ContrastiveLoss: Sendable, Codable, Equatable {
    public var margin: Float = 1.0

    public init(margin: Float = 1.0) {
        self.margin = margin
    }

    /// The loss with `dissimilar[i]` true when pair i shows two different characters (y = 1).
    public func callAsFunction(embeddings: Tensor, dissimilar: [Bool]) throws -> LossOutput {
        guard margin.isFinite, margin > 0 else {
            throw SiameseError.invalidConfiguration("ContrastiveLoss: the margin must be a positive number, got \(margin)")
        }
        let (rows, d) = try embeddingMatrixShape(embeddings, group: 2, loss: "ContrastiveLoss")
        let pairs = rows / 2
        guard dissimilar.count == pairs else {
            throw SiameseError.invalidConfiguration(
                "ContrastiveLoss: \(dissimilar.count) labels for \(pairs) pairs (\(rows) embedding rows)")
        }
        var loss: Double = 0
        var active = 0
        var positiveSum: Double = 0, negativeSum: Double = 0
        var positives = 0, negatives = 0
        let scale = 1 / Float(pairs)
        var gradient = Tensor(zeros: embeddings.shape)
        embeddings.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in
                for pair in 0..<pairs {
                    let a = 2 * pair, b = 2 * pair + 1
                    let distance = rowDistance(x, a, b, width: d)
                    if dissimilar[pair] {
                        let hinge = max(0, margin - distance)
                        loss += Double(0.5 * hinge * hinge)
                        negativeSum += Double(distance)
                        negatives += 1
                        if hinge > 0 { active += 1 }
                        // dL/dD = -(m - D)+
                        accumulateDistanceGradient(x, into: g, a, b, width: d, distance: distance,
                                                   coefficient: -hinge * scale)
                    } else {
                        loss += Double(0.5 * distance * distance)
                        positiveSum += Double(distance)
                        positives += 1
                        if distance > 0 { active += 1 }
                        // d(1/2 D^2)/dx_a = x_a - x_b: smooth everywhere, no division needed.
                        for k in 0..<d {
                            let step = scale * (x[a * d + k] - x[b * d + k])
                            g[a * d + k] += step
                            g[b * d + k] -= step
                        }
                    }
                }
            }
        }
        let statistics = LossStatistics(
            activeFraction: Float(active) / Float(pairs),
            meanPositiveDistance: positives > 0 ? Float(positiveSum / Double(positives)) : 0,
            meanNegativeDistance: negatives > 0 ? Float(negativeSum / Double(negatives)) : 0,
            meanEmbeddingNorm: meanRowNorm(embeddings),
            count: pairs)
        return LossOutput(loss: Float(loss / Double(pairs)), gradient: gradient, statistics: statistics)
    }

    /// The loss with `similar[i]` true when pair i shows the same character (y = 0).
    public func callAsFunction(embeddings: Tensor, similar: [Bool]) throws -> LossOutput {
        try self(embeddings: embeddings, dissimilar: similar.map { !$0 })
    }

    /// The loss with the seed's numeric labels: `labels[i]` is 0 (similar) or 1 (dissimilar).
    public func callAsFunction(embeddings: Tensor, labels: [Int]) throws -> LossOutput {
        if let bad = labels.first(where: { $0 != 0 && $0 != 1 }) {
            throw SiameseError.invalidConfiguration(
                "ContrastiveLoss: labels must be 0 (similar) or 1 (dissimilar), got \(bad)")
        }
        return try self(embeddings: embeddings, dissimilar: labels.map { $0 == 1 })
    }
}
