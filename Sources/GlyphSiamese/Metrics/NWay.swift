import GlyphRandom

/// How the k support images of one class are turned into one distance for N-way k-shot.
public enum ShotAggregation: String, Sendable, Codable, CaseIterable {
    /// The distance to the nearest support image (1-nearest-neighbour; for k = 1 the only one).
    case nearest
    /// The mean of the distances to the k support images.
    case mean

    /// One class's distance from the query's distances to its support images
    /// (NaN counts as +infinity; an empty support is +infinity, never chosen).
    public func aggregate(_ distances: [Float]) -> Float {
        let clean = distances.map { $0.isNaN ? Float.infinity : $0 }
        guard !clean.isEmpty else { return .infinity }
        switch self {
        case .nearest: return clean.min()!
        case .mean: return Float(clean.reduce(0.0) { $0 + Double($1) } / Double(clean.count))
        }
    }
}

/// One N-way trial: 1 if the model picks the true class, else 0.
///
/// The model picks the class with the smallest distance (NaN counts as +infinity). Ties
/// are broken **uniformly at random** with `generator`, so a model whose output is
/// constant scores 1/N in expectation (chance), never 100% (as a "first minimum wins"
/// rule would give when the true class comes first) nor 0% (as "ties count as wrong"
/// would); a perfect model scores 1 on every trial. The generator is drawn from only when
/// the true class is among several tied minima, so results are reproducible from the random seed.
/// A `trueClass` outside the list scores 0.
public func nWayCorrect(distancesToClasses: [Float], trueClass: Int, generator: inout SeededGenerator) -> Double {
    guard distancesToClasses.indices.contains(trueClass) else { return 0 }
    let clean = distancesToClasses.map { $0.isNaN ? Float.infinity : $0 }
    let smallest = clean.min()!
    guard clean[trueClass] == smallest else { return 0 }
    let tied = clean.reduce(0) { $0 + ($1 == smallest ? 1 : 0) }
    if tied == 1 { return 1 }
    return generator.nextInt(below: tied) == 0 ? 1 : 0
}

/// An accuracy over independent trials with its 95% confidence interval.
public struct AccuracyEstimate: Sendable, Codable, Equatable {
    public var accuracy: Double
    /// Half-width of the 95% interval, normal approximation: 1.96 sqrt(p (1 - p) / n).
    /// It is 0 when p is 0 or 1 (where the approximation is known to be too optimistic).
    public var ci95: Double
    public var trials: Int

    public init(accuracy: Double, ci95: Double, trials: Int) {
        self.accuracy = accuracy
        self.ci95 = ci95
        self.trials = trials
    }

    /// The estimate from the sum of per-trial scores (each 0 or 1, as `nWayCorrect` gives).
    public init(correct: Double, trials: Int) {
        let p = trials > 0 ? correct / Double(trials) : 0
        self.init(accuracy: p,
                  ci95: trials > 0 ? 1.96 * (p * (1 - p) / Double(trials)).squareRoot() : 0,
                  trials: trials)
    }
}
