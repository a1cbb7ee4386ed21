/// A trainable tensor with its gradient, or (when `isTrainable` is false) a buffer such as
/// batch norm's running mean that is saved in checkpoints but never updated by an optimizer.
///
/// A reference type: the layer that owns it, the optimizer that updates it and the
/// checkpoint writer all see the same storage.
public final class Parameter: @unchecked Sendable {
    /// Name within its layer, e.g. `weight`; `Sequential` prefixes the layer index (`0.weight`).
    public var name: String
    public var value: Tensor
    /// Gradient of the loss with respect to `value`, accumulated by `backward` and cleared
    /// by `zeroGradient()`.
    public var gradient: Tensor
    public let isTrainable: Bool
    /// Multiplies the optimizer's learning rate for this tensor (Koch et al. used per-layer rates).
    public var learningRateMultiplier: Float = 1
    /// Whether weight decay applies (by convention not to biases and normalization parameters).
    public var appliesWeightDecay: Bool
    /// How `Layer.initializeParameters(using:)` re-draws `value` (nil: left as it is).
    public var initializer: Initializer?
    /// Fan-in and fan-out of the layer that owns this tensor, for scaled initializers
    /// (He, Glorot); PyTorch's convention: a convolution's fan-in is `in * kh * kw`.
    public var fanIn: Int = 0
    public var fanOut: Int = 0

    public init(name: String, value: Tensor, isTrainable: Bool = true, appliesWeightDecay: Bool? = nil) {
        self.name = name
        self.value = value
        self.gradient = Tensor(zeros: isTrainable ? value.shape : [0])
        self.isTrainable = isTrainable
        self.appliesWeightDecay = appliesWeightDecay ?? (isTrainable && value.rank > 1)
    }

    public func zeroGradient() {
        guard isTrainable else { return }
        if gradient.shape != value.shape {
            gradient = Tensor(zeros: value.shape)
        } else {
            gradient.withUnsafeMutableBufferPointer { p in p.update(repeating: 0) }
        }
    }
}
