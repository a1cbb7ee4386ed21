import GlyphEngine

/// A metric-learning loss over one batch of embeddings.
///
/// Every loss takes the same two things: the batch's embeddings (`[N, D]`, one row per image)
/// and the character (class) id of every row, in the order the sampler laid the batch out.
/// Which rows form pairs or triplets is the loss's business: it derives them from the class
/// ids and its `layout`, which also tells the trainer which sampler must fill the batch. So a
/// caller never hands a loss 0/1 pair labels or a triplet order of its own.
public protocol EmbeddingLoss: Sendable {
    /// How the rows of a batch must be arranged for this loss.
    var layout: BatchLayout { get }
    /// The loss, its gradient with respect to `embeddings` and its statistics. `classes[i]`
    /// is row i's class id (any integers, equal for images of the same character). Throws
    /// when the embeddings or the ids do not fit `layout`.
    func callAsFunction(embeddings: Tensor, classes: [Int]) throws -> LossOutput
}

/// How the rows of a batch are arranged, from the sampler that drew it.
public enum BatchLayout: String, Sendable, Codable, CaseIterable {
    /// Rows 2i and 2i+1 are pair i (`PairSampler`): a similar pair when their classes are equal.
    case pairs
    /// Rows 3i, 3i+1, 3i+2 are anchor, positive and negative (`TripletSampler`).
    case triplets
    /// P characters x K images in any order (`ClassBatchSampler`); pairs and triplets are
    /// chosen inside the batch.
    case classBatch
}

/// What a loss returns for one batch: its value, its gradient with respect to the
/// embeddings (to hand to the tower's `backward`), and statistics for the log and for
/// `CollapseDetector`.
public struct LossOutput: Sendable {
    /// The mean loss over the batch's pairs or triplets (see each loss for its reduction).
    public var loss: Float
    /// dL / d embeddings, the same shape as the embeddings.
    public var gradient: Tensor
    public var statistics: LossStatistics

    public init(loss: Float, gradient: Tensor, statistics: LossStatistics) {
        self.loss = loss
        self.gradient = gradient
        self.statistics = statistics
    }
}

/// Figures that show whether a metric-learning run is healthy or has collapsed.
///
/// For the contrastive loss, "positive" means the similar pairs and "negative" the
/// dissimilar ones; for a triplet loss, D(a,p) and D(a,n) of the triplets scored; for the
/// prototypical loss, each query's distance to its own character's prototype and to the others'.
public struct LossStatistics: Sendable, Codable, Equatable {
    /// Fraction of the pairs or triplets with a non-zero loss (they alone move the weights);
    /// for the prototypical loss, whose every term is non-zero, the fraction of queries
    /// nearer another character's prototype than their own.
    public var activeFraction: Float
    /// Mean distance of the similar pairs, or mean D(anchor, positive).
    public var meanPositiveDistance: Float
    /// Mean distance of the dissimilar pairs, or mean D(anchor, negative).
    public var meanNegativeDistance: Float
    /// Mean Euclidean norm of the embedding rows.
    public var meanEmbeddingNorm: Float
    /// How many pairs or triplets were scored.
    public var count: Int

    public init(activeFraction: Float, meanPositiveDistance: Float, meanNegativeDistance: Float,
                meanEmbeddingNorm: Float, count: Int) {
        self.activeFraction = activeFraction
        self.meanPositiveDistance = meanPositiveDistance
        self.meanNegativeDistance = meanNegativeDistance
        self.meanEmbeddingNorm = meanEmbeddingNorm
        self.count = count
    }
}
