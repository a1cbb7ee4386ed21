/// A layer: a value you call on a tensor, with a hand-written backward pass beside it.
///
/// `forward(_:training:)` with `training: true` keeps what `backward(_:)` needs; with
/// `training: false` it keeps nothing (inference). `backward` takes the gradient of the loss
/// with respect to the layer's output, *adds* the gradients of its parameters into their
/// `gradient` tensors, and returns the gradient with respect to its input. `backward` releases
/// what the forward pass kept (as PyTorch frees its graph), so a second `backward` needs another
/// training-mode `forward`; otherwise it throws `backwardBeforeForward`.
///
/// Layers are classes because they own mutable state (parameters, caches) that a model,
/// an optimizer and a checkpoint share.
public protocol Layer: AnyObject {
    /// A short human-readable description, e.g. `Conv2D(1->64, 10x10)`; used in errors.
    var name: String { get }
    /// Trainable tensors (weights, biases, scales).
    var parameters: [Parameter] { get }
    /// Saved but not trained tensors (batch norm's running statistics).
    var buffers: [Parameter] { get }
    /// The output shape for an input shape, or a `shapeMismatch` error naming the layer.
    func outputShape(for inputShape: [Int]) throws -> [Int]
    func forward(_ input: Tensor, training: Bool) throws -> Tensor
    func backward(_ outputGradient: Tensor) throws -> Tensor
    /// `backward` for a caller that discards the input gradient (the first layer of a model):
    /// adds the parameter gradients and releases the forward pass's cache like `backward`, but
    /// a layer may skip computing the input gradient (Koch's first convolution: as many FLOPs
    /// as its weight gradient). The default calls `backward` and drops its result.
    func accumulateParameterGradients(_ outputGradient: Tensor) throws
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var buffers: [Parameter] { [] }

    public func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        _ = try backward(outputGradient)
    }

    /// Inference: `layer(x)` is `forward(x, training: false)`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try forward(input, training: false)
    }
}
