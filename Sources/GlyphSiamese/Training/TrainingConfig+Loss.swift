/// The loss a configuration trains with, built in one place so that the trainer's step and
/// its choice of sampler (`EmbeddingLoss.layout`) can never disagree.
extension TrainingConfig {
    public func makeLoss() -> any EmbeddingLoss {
        switch loss {
        case .contrastive:
            return ContrastiveLoss(margin: effectiveMargin, pairs: pairMining == .all ? .all : .sampled)
        case .triplet:
            return TripletLoss(margin: effectiveMargin, squared: squaredHinge, swap: swap,
                               triplets: mining == .random ? .sampled : .mined(mining))
        case .prototypical:
            return PrototypicalLoss(temperature: effectiveTemperature)
        }
    }
}
