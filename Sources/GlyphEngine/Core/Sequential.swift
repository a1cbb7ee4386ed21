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
/// triplet is just a batch of 2 or 3 images run through the same weights.
public final class Sequential: Layer {
    public let layers: [any Layer]
    /// The order `forward` runs the layers in (`backward` runs it reversed): `layers`' order,
    /// except that a ReLU directly followed by a max-pool runs after the pool. Max-pooling
    /// commutes with any increasing function, so outputs and gradients are the same, and the
    /// ReLU then touches (and keeps a mask for) a quarter of the values.
    private let executionOrder: [Int]

    /// Names every parameter and buffer `<layer index>.<name>` (nested models nest the
    /// prefix), the way PyTorch names an `nn.Sequential`'s state, so checkpoints line up.
    public init(_ layers: [any Layer]) {
        _ = ComputeThreads.count  // thread count and allocator tuning are set before the first step
        self.layers = layers
        self.executionOrder = Sequential.executionOrder(for: layers)
        for (index, layer) in layers.enumerated() {
            for p in layer.parameters + layer.buffers { p.name = "\(index).\(p.name)" }
        }
    }
    public convenience init(@LayerBuilder _ build: () -> [any Layer]) { self.init(build()) }

    public var name: String { "Sequential(\(layers.map(\.name).joined(separator: ", ")))" }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var buffers: [Parameter] { layers.flatMap(\.buffers) }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try layers.reduce(inputShape) { try $1.outputShape(for: $0) }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var x = input
        for layer in executionOrder.map({ layers[$0] }) {
            if let elementwise = layer as? any InPlaceLayer {
                try elementwise.forward(inPlace: &x, training: training)
            } else {
                x = try layer.forward(x, training: training)
            }
        }
        return x
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        var g = outputGradient
        for layer in executionOrder.reversed().map({ layers[$0] }) {
            if let elementwise = layer as? any InPlaceLayer {
                try elementwise.backward(inPlace: &g)
            } else {
                g = try layer.backward(g)
            }
        }
        return g
    }

    /// Swaps every `ReLU, MaxPool2D` pair (see `executionOrder`).
    private static func executionOrder(for layers: [any Layer]) -> [Int] {
        var order = Array(layers.indices)
        var i = 0
        while i + 1 < order.count {
            if layers[order[i]] is ReLU && layers[order[i + 1]] is MaxPool2D {
                order.swapAt(i, i + 1)
                i += 2
            } else {
                i += 1
            }
        }
        return order
    }

    public func zeroGradients() {
        for p in parameters { p.zeroGradient() }
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
