/// Builds a list of layers from a block of layer expressions (the SwiftUI-style builder).
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    public static func buildExpression(_ layers: [any Layer]) -> [any Layer] { layers }
    public static func buildBlock(_ parts: [any Layer]...) -> [any Layer] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any Layer]?) -> [any Layer] { part ?? [] }
    public static func buildEither(first: [any Layer]) -> [any Layer] { first }
    public static func buildEither(second: [any Layer]) -> [any Layer] { second }
    public static func buildArray(_ parts: [[any Layer]]) -> [any Layer] { parts.flatMap { $0 } }
}

/// A model as a composition of layers applied one after the other:
///
/// ```swift
/// let tower = Sequential {
///     Conv2D(inChannels: 1, outChannels: 64, kernelSize: 10)
///     ReLU()
///     MaxPool2D(2)
/// }
/// ```
///
/// A Siamese network is one `Sequential` applied to every image of a batch: a pair or a
/// triplet is just a batch of 2 or 3 images run through the same weights. A `Checkpointed`
/// block inside runs a few images at a time and recomputes its activations in backward.
///
/// A `Sequential` runs its layers in the order written, each by its own `forward` and
/// `backward`, on plain NCHW tensors (elementwise layers work in place). For the faster fused
/// steps that compute the same values, run it through `ExecutionPlan(tower, fusing: true)`.
public final class Sequential: Layer {
    /// Every layer, in order, with `Checkpointed` blocks opened up: indices (and so parameter
    /// names and the architecture text) are the same with or without checkpointing.
    public let layers: [any Layer]
    /// The layers as given: `layers`, except that a checkpointed block is one unit.
    let blocks: [any Layer]
    private let chain: LayerChain

    /// Names every parameter and buffer `<layer index>.<name>` (nested models nest the
    /// prefix), the way PyTorch names an `nn.Sequential`'s state, so checkpoints line up. The
    /// layers of a `Checkpointed` block count as layers of this model, so wrapping a block
    /// changes no name.
    public init(_ layers: [any Layer]) {
        self.layers = layers.flatMap { ($0 as? Checkpointed)?.layers ?? [$0] }
        self.blocks = layers
        self.chain = LayerChain(layers)
        for (index, layer) in self.layers.enumerated() {
            for p in layer.parameters + layer.buffers { p.name = "\(index).\(p.name)" }
        }
    }
    public convenience init(@LayerBuilder _ build: () throws -> [any Layer]) rethrows { self.init(try build()) }

    public var name: String { "Sequential(\(layers.map(\.name).joined(separator: ", ")))" }

    /// The blocks that run chunk by chunk (their layers are also in `layers`).
    public var checkpointedBlocks: [Checkpointed] { blocks.compactMap { $0 as? Checkpointed } }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var buffers: [Parameter] { layers.flatMap(\.buffers) }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try chain.outputShape(for: inputShape)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try chain.forward(input, training: training)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try chain.backward(outputGradient)
    }

    /// The training step's backward pass: the model's input gradient is not computed.
    public func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        try chain.accumulateParameterGradients(outputGradient)
    }

    public func zeroGradients() {
        for p in parameters { p.zeroGradient() }
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
