/// A layer that can compute on channel-blocked tensors (`TensorLayout.channelBlocked`), so that
/// a fused `ExecutionPlan` can keep activations in oneDNN's layout between its convolutions.
///
/// A plain `Sequential` never asks for blocked tensors; only an `ExecutionPlan` with fusion
/// does, and it converts to plain order before every step that is not one of these.
protocol ChannelBlockedLayer: Layer {
    /// Whether `forward` and `backward` take a channel-blocked input (and output gradient) as it is.
    var acceptsChannelBlockedInput: Bool { get }
    /// Whether the output always has the input's layout (elementwise layers): the plan then looks
    /// past this layer to decide the layout of the layer before it.
    var keepsLayout: Bool { get }
    /// `forward`, with the output in `outputLayout` when the layer can write it so; the output's
    /// `layout` says which.
    func forward(_ input: Tensor, training: Bool, outputLayout: TensorLayout) throws -> Tensor
}

extension Conv2D: ChannelBlockedLayer {
    var keepsLayout: Bool { false }
}

extension ReLU: ChannelBlockedLayer {
    var acceptsChannelBlockedInput: Bool { true }
    var keepsLayout: Bool { true }
    func forward(_ input: Tensor, training: Bool, outputLayout: TensorLayout) throws -> Tensor {
        try forward(input, training: training)
    }
}
