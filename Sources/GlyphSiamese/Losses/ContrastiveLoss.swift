import GlyphEngine

/// The contrastive loss of the course report's eq. (1) (Hadsell, Chopra and LeCun 2006).
///
/// For a pair of embeddings at Euclidean distance D, with margin m:
///
///     same character:       L = 1/2 D^2
///     different characters: L = 1/2 max(0, m - D)^2
///
/// (the course report writes y = 0 for a similar pair and y = 1 for a dissimilar one; here the
/// class ids say which is which). `pairs` picks the pairs: the sampler's disjoint pairs, rows
/// 2i and 2i+1, as the course report trained (the batch loss is their **mean**, PyTorch's default
/// reduction; the report wrote a sum, which only rescales the learning rate), or every pair
/// of a P x K batch (see `allPairs`). At D = 0 the gradient uses the subgradient 0 (see
/// `pairwiseDistances`), so a collapsed dissimilar pair gives a finite (zero) gradient rather
/// than NaN.
public struct ContrastiveLoss: EmbeddingLoss, Codable, Equatable {
    /// Which pairs of a batch the loss scores.
    public enum Pairs: String, Sendable, Codable, CaseIterable {
        /// Rows 2i and 2i+1 are pair i (`BatchLayout.pairs`).
        case sampled
        /// Every pair of a P x K batch (`BatchLayout.classBatch`).
        case all
    }

    public var margin: Float = 1.0
    public var pairs: Pairs = .sampled

    public init(margin: Float = 1.0, pairs: Pairs = .sampled) {
        self.margin = margin
        self.pairs = pairs
    }

    public var layout: BatchLayout { pairs == .sampled ? .pairs : .classBatch }

    public func callAsFunction(embeddings: Tensor, classes: [Int]) throws -> LossOutput {
        guard margin.isFinite, margin > 0 else {
            throw SiameseError.invalidConfiguration("ContrastiveLoss: the margin must be a positive number, got \(margin)")
        }
        switch pairs {
        case .all:
            return try allPairs(embeddings: embeddings, classes: classes)
        case .sampled:
            let (rows, _) = try embeddingMatrixShape(embeddings, group: 2, loss: "ContrastiveLoss")
            guard classes.count == rows else {
                throw SiameseError.invalidConfiguration("ContrastiveLoss: \(classes.count) class ids for \(rows) embedding rows")
            }
            let dissimilar = (0..<rows / 2).map { classes[2 * $0] != classes[2 * $0 + 1] }
            return try sampledPairs(embeddings: embeddings, dissimilar: dissimilar)
        }
    }

    /// The sampled pairs' loss, `dissimilar[i]` true when pair i shows two different characters.
    func sampledPairs(embeddings: Tensor, dissimilar: [Bool]) throws -> LossOutput {
        let (rows, d) = try embeddingMatrixShape(embeddings, group: 2, loss: "ContrastiveLoss")
        let pairs = rows / 2
        guard dissimilar.count == pairs else {
            throw SiameseError.invalidConfiguration(
                "ContrastiveLoss: \(dissimilar.count) pair flags for \(pairs) pairs (\(rows) embedding rows)")
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
}
