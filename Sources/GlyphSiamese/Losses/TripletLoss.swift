import GlyphEngine

/// The triplet loss (Schroff et al. 2015): L = max(0, m + D(a,p) - D(a,n)).
///
/// Options, for the two readings of the course report:
/// - `squared`: the report's squared hinge, max(0, m + D(a,p) - D(a,n))^2.
/// - `swap` (Balntas et al. 2016): the negative distance is min(D(a,n), D(p,n)), for those
///   who read the report's D(p,n) as "the negative's distance to either of the pair".
///
/// Reduction: the **mean** over the triplets scored (PyTorch's default; the report wrote a
/// sum, which only rescales the learning rate), except `batchAll`, which averages over the
/// active triplets only (those with a non-zero loss), as Hermans et al. recommend, so that
/// the many easy triplets do not dilute the gradient. At D = 0 the distance's gradient is
/// the subgradient 0 (see `pairwiseDistances`).
///
/// `triplets` picks the triplets: the sampler's, rows 3i, 3i+1, 3i+2 (anchor, positive,
/// negative), as the course report trained, or mined inside a P x K batch by a `TripletMining` rule.
public struct TripletLoss: EmbeddingLoss, Codable, Equatable {
    /// Where a batch's triplets come from.
    public enum Triplets: Sendable, Codable, Equatable {
        /// Rows 3i, 3i+1, 3i+2 are anchor, positive and negative (`BatchLayout.triplets`).
        case sampled
        /// Chosen inside a P x K batch (`BatchLayout.classBatch`) by this rule.
        case mined(TripletMining)
    }

    public var margin: Float = 0.2
    public var squared: Bool = false
    public var swap: Bool = false
    public var triplets: Triplets = .sampled

    public init(margin: Float = 0.2, squared: Bool = false, swap: Bool = false, triplets: Triplets = .sampled) {
        self.margin = margin
        self.squared = squared
        self.swap = swap
        self.triplets = triplets
    }

    public var layout: BatchLayout { triplets == .sampled ? .triplets : .classBatch }

    public func callAsFunction(embeddings: Tensor, classes: [Int]) throws -> LossOutput {
        guard margin.isFinite, margin >= 0 else {
            throw SiameseError.invalidConfiguration("TripletLoss: the margin must be a number >= 0, got \(margin)")
        }
        switch triplets {
        case let .mined(rule):
            return try mined(embeddings: embeddings, classes: classes, mining: rule)
        case .sampled:
            let (rows, _) = try embeddingMatrixShape(embeddings, group: 3, loss: "TripletLoss")
            guard classes.count == rows else {
                throw SiameseError.invalidConfiguration("TripletLoss: \(classes.count) class ids for \(rows) embedding rows")
            }
            for t in 0..<rows / 3 where classes[3 * t] != classes[3 * t + 1] || classes[3 * t] == classes[3 * t + 2] {
                throw SiameseError.invalidConfiguration(
                    "TripletLoss: rows \(3 * t)...\(3 * t + 2) are not an anchor, a positive of its class and a "
                    + "negative of another (classes \(classes[3 * t]), \(classes[3 * t + 1]), \(classes[3 * t + 2]))")
            }
            return try sampled(embeddings: embeddings)
        }
    }

    /// The loss over the sampler's triplets: rows 3i, 3i+1, 3i+2 are anchor, positive, negative.
    func sampled(embeddings: Tensor) throws -> LossOutput {
        let (rows, d) = try embeddingMatrixShape(embeddings, group: 3, loss: "TripletLoss")
        let count = rows / 3
        var accumulator = TripletAccumulator()
        var gradient = Tensor(zeros: embeddings.shape)
        let scale = 1 / Float(count)
        embeddings.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in
                for t in 0..<count {
                    let a = 3 * t, p = 3 * t + 1, n = 3 * t + 2
                    let dap = rowDistance(x, a, p, width: d)
                    let dan = rowDistance(x, a, n, width: d)
                    let dpn = swap ? rowDistance(x, p, n, width: d) : dan
                    let term = score(positive: dap, anchorNegative: dan, positiveNegative: dpn)
                    accumulator.add(term, positive: dap, negative: dan)
                    guard term.slope != 0 else { continue }
                    accumulateDistanceGradient(x, into: g, a, p, width: d, distance: dap,
                                               coefficient: term.slope * scale)
                    if term.negativeIsPositiveNegative {
                        accumulateDistanceGradient(x, into: g, p, n, width: d, distance: dpn,
                                                   coefficient: -term.slope * scale)
                    } else {
                        accumulateDistanceGradient(x, into: g, a, n, width: d, distance: dan,
                                                   coefficient: -term.slope * scale)
                    }
                }
            }
        }
        return LossOutput(loss: Float(accumulator.loss / Double(count)), gradient: gradient,
                          statistics: accumulator.statistics(embeddings))
    }

    /// The loss over a labelled batch (P classes x K images, any order) with online mining.
    ///
    /// Distances come from `pairwiseDistances` (one `gemm`), the triplets from `mineTriplets`,
    /// and the gradient from one more `gemm` (`gradientFromDistanceCoefficients`).
    /// Throws when the batch holds no anchor with both a positive and a negative.
    func mined(embeddings: Tensor, classes labels: [Int], mining: TripletMining) throws -> LossOutput {
        let (n, _) = try embeddingMatrixShape(embeddings, group: 1, loss: "TripletLoss")
        guard labels.count == n else {
            throw SiameseError.invalidConfiguration("TripletLoss: \(labels.count) class ids for \(n) embedding rows")
        }
        let distances = pairwiseDistances(embeddings)
        let triplets = mineTriplets(distances: distances, labels: labels, count: n, margin: margin,
                                    mining: mining, seed: seed(of: labels))
        guard !triplets.isEmpty else {
            throw SiameseError.invalidConfiguration(
                "TripletLoss: the batch of \(n) rows and \(Set(labels).count) classes has no anchor with both a "
                + "positive and a negative; a P x K batch needs P >= 2 classes and K >= 2 images per class")
        }
        var accumulator = TripletAccumulator()
        var coefficients = [Float](repeating: 0, count: n * n)
        for (a, p, neg) in triplets {
            let dap = distances[a * n + p], dan = distances[a * n + neg]
            let dpn = swap ? distances[p * n + neg] : dan
            let term = score(positive: dap, anchorNegative: dan, positiveNegative: dpn)
            accumulator.add(term, positive: dap, negative: dan)
            guard term.slope != 0 else { continue }
            coefficients[a * n + p] += term.slope
            if term.negativeIsPositiveNegative {
                coefficients[p * n + neg] -= term.slope
            } else {
                coefficients[a * n + neg] -= term.slope
            }
        }
        let denominator = mining == .batchAll ? max(accumulator.active, 1) : triplets.count
        let scale = 1 / Float(denominator)
        for i in coefficients.indices { coefficients[i] *= scale }
        let gradient = gradientFromDistanceCoefficients(embeddings, distances: distances, coefficients: coefficients)
        return LossOutput(loss: Float(accumulator.loss / Double(denominator)), gradient: gradient,
                          statistics: accumulator.statistics(embeddings))
    }

    /// One triplet's loss and dL/dD(a,p) (`slope`; dL/d(negative distance) is `-slope`).
    struct Term {
        var loss: Float
        var slope: Float
        /// True when `swap` chose D(p,n) as the negative distance.
        var negativeIsPositiveNegative: Bool
    }

    func score(positive dap: Float, anchorNegative dan: Float, positiveNegative dpn: Float) -> Term {
        let useSwapped = swap && dpn < dan
        let negative = useSwapped ? dpn : dan
        let hinge = max(0, margin + dap - negative)
        if squared {
            return Term(loss: hinge * hinge, slope: 2 * hinge, negativeIsPositiveNegative: useSwapped)
        }
        return Term(loss: hinge, slope: hinge > 0 ? 1 : 0, negativeIsPositiveNegative: useSwapped)
    }

    /// A seed for `.random` mining that depends only on the batch's labels, so that the
    /// same batch always gets the same negatives (reproducible runs) without a generator.
    private func seed(of labels: [Int]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for label in labels {
            hash = (hash ^ UInt64(bitPattern: Int64(label))) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// Sums of a batch's triplet terms, turned into `LossStatistics` at the end.
private struct TripletAccumulator {
    var loss: Double = 0
    var active = 0
    var count = 0
    var positiveSum: Double = 0
    var negativeSum: Double = 0

    mutating func add(_ term: TripletLoss.Term, positive: Float, negative: Float) {
        loss += Double(term.loss)
        if term.loss > 0 { active += 1 }
        count += 1
        positiveSum += Double(positive)
        negativeSum += Double(negative)
    }

    func statistics(_ embeddings: Tensor) -> LossStatistics {
        let c = Double(max(count, 1))
        return LossStatistics(activeFraction: Float(Double(active) / c),
                              meanPositiveDistance: Float(positiveSum / c),
                              meanNegativeDistance: Float(negativeSum / c),
                              meanEmbeddingNorm: meanRowNorm(embeddings),
                              count: count)
    }
}
