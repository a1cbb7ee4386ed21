import GlyphData
import GlyphRandom

/// Scores that need only the embeddings of a dataset's images: pair verification and
/// N-way k-shot episodes. Shared by the trainer's per-epoch validation and `glyphsim evaluate`.
public enum EmbeddingScores {
    /// Distances of labelled pairs, in the pairs' order.
    public static func distances(of pairs: [LabeledPair], in embeddings: Embeddings) -> [Float] {
        pairs.map { embeddings.distance($0.first, $0.second) }
    }

    /// N-way k-shot accuracy: each query is assigned to the class whose prototype (the mean of its
    /// k support embeddings; for one shot, the support embedding itself) is nearest. Ties are
    /// resolved by `nWayCorrect`'s rule, so a constant model scores chance.
    public static func episodes(_ episodes: [Episode], embeddings: Embeddings, seed: UInt64) -> AccuracyEstimate {
        var generator = SeededGenerator(seed: seed)
        var total = 0.0
        var trials = 0
        for episode in episodes {
            let prototypes = episode.support.map { embeddings.mean(of: $0) }
            for (query, trueClass) in zip(episode.queries, episode.queryClass) {
                let q = embeddings.row(query)
                let distances = prototypes.map { p -> Float in
                    var s: Float = 0
                    for (a, b) in zip(q, p) { let d = a - b; s += d * d }
                    return s.squareRoot()
                }
                total += nWayCorrect(distancesToClasses: distances, trueClass: trueClass, generator: &generator)
                trials += 1
            }
        }
        let p = trials > 0 ? total / Double(trials) : 0
        return AccuracyEstimate(accuracy: p, ci95: trials > 0 ? 1.96 * (p * (1 - p) / Double(trials)).squareRoot() : 0,
                                trials: trials)
    }
}
