/// Pair verification as the course report's Table 1 reports it: a pair is called "same" when the
/// distance of its two embeddings is at most a threshold.
///
/// Distances that are NaN are treated as +infinity everywhere in Metrics: such a pair is
/// never called "same", and a model that outputs NaN cannot score well by accident.
public struct VerificationCounts: Sendable, Codable, Equatable {
    /// Pairs decided correctly (the course report's column "True").
    public var truePredictions: Int
    /// Pairs decided wrongly (the course report's column "False").
    public var falsePredictions: Int
    public var pairs: Int
    /// truePredictions / pairs (0 when there are no pairs).
    public var accuracy: Double

    public init(truePredictions: Int, falsePredictions: Int) {
        self.truePredictions = truePredictions
        self.falsePredictions = falsePredictions
        self.pairs = truePredictions + falsePredictions
        self.accuracy = pairs > 0 ? Double(truePredictions) / Double(pairs) : 0
    }

    /// JSON keys as the course report's table names its columns: `true`, `false`, `accuracy`, `pairs`.
    enum CodingKeys: String, CodingKey {
        case truePredictions = "true"
        case falsePredictions = "false"
        case pairs, accuracy
    }
}

/// The threshold that maximizes the accuracy of "same iff distance <= threshold" on the
/// given pairs, and only on them: call it on validation pairs, never on the scored ones.
///
/// Candidates are one value below every distance (everything "different"), the midpoints
/// between consecutive distinct sorted distances, and one value above every distance
/// (everything "same"). The first best candidate in ascending order wins, so the result
/// is deterministic. Returns 0 when there are no pairs (or the counts differ).
public func bestThreshold(distances: [Float], same: [Bool]) -> Float {
    guard !distances.isEmpty, distances.count == same.count else { return 0 }
    let order = sortedPairs(distances: distances, same: same)
    let lowest = order[0].distance, highest = order[order.count - 1].distance
    guard highest.isFinite else {
        // Some distances are infinite (or NaN): keep the sweep on finite values only.
        return bestFiniteThreshold(order)
    }
    return sweep(order, below: lowest - max(1, abs(lowest)), above: highest + max(1, abs(highest)))
}

/// Counts the correct and wrong decisions of "same iff distance <= threshold".
public func verify(distances: [Float], same: [Bool], threshold: Float) -> VerificationCounts {
    var correct = 0, wrong = 0
    for (distance, isSame) in zip(distances, same) {
        let calledSame = !distance.isNaN && distance <= threshold
        if calledSame == isSame { correct += 1 } else { wrong += 1 }
    }
    return VerificationCounts(truePredictions: correct, falsePredictions: wrong)
}

/// (distance, same) sorted by distance, NaN mapped to +infinity; ties keep input order.
func sortedPairs(distances: [Float], same: [Bool]) -> [(distance: Float, same: Bool)] {
    zip(distances, same)
        .map { (distance: $0.isNaN ? Float.infinity : $0, same: $1) }
        .enumerated()
        .sorted { $0.element.distance < $1.element.distance
            || ($0.element.distance == $1.element.distance && $0.offset < $1.offset) }
        .map(\.element)
}

/// Walks the sorted pairs once: at each cut between distinct distances, everything before
/// the cut is called "same". Returns the best cut's threshold.
private func sweep(_ order: [(distance: Float, same: Bool)], below: Float, above: Float) -> Float {
    let totalDifferent = order.reduce(0) { $0 + ($1.same ? 0 : 1) }
    // Cut before everything: all pairs called "different".
    var correct = totalDifferent
    var bestCorrect = correct
    var best = below
    var i = 0
    while i < order.count {
        // Move the whole group of equal distances across the cut at once.
        let value = order[i].distance
        while i < order.count && order[i].distance == value {
            correct += order[i].same ? 1 : -1
            i += 1
        }
        let threshold = i < order.count ? midpoint(value, order[i].distance) : above
        if correct > bestCorrect {
            bestCorrect = correct
            best = threshold
        }
    }
    return best
}

private func bestFiniteThreshold(_ order: [(distance: Float, same: Bool)]) -> Float {
    guard let lastFinite = order.lastIndex(where: { $0.distance.isFinite }) else { return 0 }
    let finite = Array(order[0...lastFinite])
    let lowest = finite[0].distance, highest = finite[finite.count - 1].distance
    // Pairs at infinity are always "different" whatever the finite threshold; they shift
    // every candidate's count equally, so the best cut among the finite ones is unchanged.
    return sweep(finite, below: lowest - max(1, abs(lowest)), above: highest + max(1, abs(highest)))
}

/// The midpoint of a < b, kept strictly below b even when they are neighbouring floats.
private func midpoint(_ a: Float, _ b: Float) -> Float {
    max(a, min(a + (b - a) / 2, b.nextDown))
}
