/// A layer whose training-mode output for one image depends on the other images of the batch
/// (batch normalization's batch mean and variance), or whose forward pass updates state
/// (running statistics).
///
/// Such a layer cannot run a batch in chunks (each chunk would have its own statistics) or
/// run its forward pass twice (the running statistics would move twice): `Checkpointed`
/// refuses it.
public protocol BatchStatisticsLayer: Layer {}

extension BatchNorm2D: BatchStatisticsLayer {}

extension Layer {
    /// This layer, or a layer inside it, is a `BatchStatisticsLayer`.
    var usesBatchStatistics: Bool {
        if self is any BatchStatisticsLayer { return true }
        if let model = self as? Sequential { return model.layers.contains { $0.usesBatchStatistics } }
        if let block = self as? Checkpointed { return block.layers.contains { $0.usesBatchStatistics } }
        if let plan = self as? ExecutionPlan { return plan.tower.usesBatchStatistics }
        if self is FirstBlockWeightGradient { return true }
        return false
    }
}
