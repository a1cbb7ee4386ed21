import GlyphRandom

/// How the triplets of a triplet loss are chosen.
public enum TripletMining: String, Sendable, Codable, CaseIterable {
    /// Over a labelled P x K batch, one uniformly random negative for every anchor-positive
    /// pair. (A run's `--mining random` trains on the sampler's triplets instead:
    /// `TripletLoss.Triplets.sampled`, see `TrainingConfig.makeLoss()`.)
    case random
    /// FaceNet's semi-hard negatives (Schroff et al. 2015), as TensorFlow Addons'
    /// `triplet_semihard_loss` defines them: for every anchor-positive pair.
    case semiHard
    /// Hermans, Beyer and Leibe 2017: for every anchor, its farthest positive and closest negative.
    case batchHard
    /// Every valid triplet of the batch; the loss averages over the active ones.
    case batchAll
}

/// Chooses triplets (anchor, positive, negative) of row indices from a P x K batch.
///
/// - Parameters:
///   - distances: the `n x n` distance matrix (`pairwiseDistances`), row-major.
///   - labels: the class of each row; a positive shares the anchor's class, a negative does not.
///   - n: the number of rows.
///   - margin: the loss's margin. None of the rules below needs it (see `semiHard`); it is
///     part of the signature so that a caller can hand the loss's settings to any rule.
///   - mining: the rule.
///   - seed: the seed of `.random`'s choice of negatives (the other rules are deterministic).
///
/// Rules (ties go to the lowest row index, so the result is deterministic):
/// - `.random`: for every ordered pair (a, p), a != p, same class: a uniformly random negative.
/// - `.semiHard` (TensorFlow Addons `tfa.losses.triplet_semihard_loss`, "negatives_outside /
///   negatives_inside"): for every ordered pair (a, p), the negative with the **smallest
///   D(a,n) that is still greater than D(a,p)**; if no negative is farther than the positive,
///   the negative with the **largest** D(a,n). When a negative lies in FaceNet's window
///   D(a,p) < D(a,n) < D(a,p) + m this picks the hardest of them; when the nearest one beyond
///   D(a,p) is outside the window its loss is zero either way, which is why `margin` is not needed.
/// - `.batchHard`: for every anchor, the positive with the largest D(a,p) and the negative
///   with the smallest D(a,n).
/// - `.batchAll`: every (a, p, n) with a != p in one class and n in another.
///
/// Anchors without a positive or without a negative give no triplet. Malformed input
/// (`distances.count != n * n` or `labels.count != n`) gives no triplets; `TripletLoss`
/// checks its input before calling this.
public func mineTriplets(distances: [Float], labels: [Int], count n: Int, margin: Float,
                         mining: TripletMining, seed: UInt64 = 0) -> [(anchor: Int, positive: Int, negative: Int)] {
    guard n > 0, distances.count == n * n, labels.count == n else { return [] }
    var triplets: [(anchor: Int, positive: Int, negative: Int)] = []
    var generator = SeededGenerator(seed: seed)
    for a in 0..<n {
        let row = a * n
        var positives: [Int] = [], negatives: [Int] = []
        for j in 0..<n where j != a {
            if labels[j] == labels[a] { positives.append(j) } else { negatives.append(j) }
        }
        guard !positives.isEmpty, !negatives.isEmpty else { continue }
        switch mining {
        case .random:
            for p in positives {
                triplets.append((a, p, negatives[generator.nextInt(below: negatives.count)]))
            }
        case .semiHard:
            // The farthest negative, used when no negative lies beyond D(a,p).
            var farthest = negatives[0]
            for j in negatives where distances[row + j] > distances[row + farthest] { farthest = j }
            for p in positives {
                let positiveDistance = distances[row + p]
                var chosen = -1
                for j in negatives where distances[row + j] > positiveDistance {
                    if chosen < 0 || distances[row + j] < distances[row + chosen] { chosen = j }
                }
                triplets.append((a, p, chosen >= 0 ? chosen : farthest))
            }
        case .batchHard:
            var hardestPositive = positives[0]
            for j in positives where distances[row + j] > distances[row + hardestPositive] { hardestPositive = j }
            var hardestNegative = negatives[0]
            for j in negatives where distances[row + j] < distances[row + hardestNegative] { hardestNegative = j }
            triplets.append((a, hardestPositive, hardestNegative))
        case .batchAll:
            // No reserveCapacity here: reserving the exact size anchor by anchor defeats the
            // array's geometric growth and copied the whole list once per anchor (N^2 work).
            for p in positives {
                for j in negatives { triplets.append((a, p, j)) }
            }
        }
    }
    return triplets
}
