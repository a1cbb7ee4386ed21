/// Layers run one after the other: how `Sequential` and `Checkpointed` run theirs.
///
/// The order `forward` runs the layers in (`backward` runs it reversed) is the given order,
/// except that a ReLU directly followed by a max-pool runs after the pool. Max-pooling commutes
/// with any increasing function, so outputs and gradients are the same, and the ReLU then
/// touches (and keeps a mask for) a quarter of the values. Elementwise layers (`InPlaceLayer`)
/// overwrite the tensor they receive instead of allocating a second one.
///
/// A value that renames nothing: unlike `Sequential`, it leaves the layers' parameter names alone.
struct LayerChain {
    let layers: [any Layer]
    private let executionOrder: [Int]

    init(_ layers: [any Layer]) {
        self.layers = layers
        self.executionOrder = LayerChain.executionOrder(for: layers)
    }

    func outputShape(for inputShape: [Int]) throws -> [Int] {
        try layers.reduce(inputShape) { try $1.outputShape(for: $0) }
    }

    func forward(_ input: Tensor, training: Bool) throws -> Tensor {
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

    func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let first = executionOrder.first.map({ layers[$0] }) else { return outputGradient }
        var g = try backwardAllButFirst(outputGradient)
        try LayerChain.backward(first, &g)
        return g
    }

    /// `backward` without the chain's input gradient: the first layer only adds its parameter
    /// gradients (see `Layer.accumulateParameterGradients`).
    func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        guard let first = executionOrder.first.map({ layers[$0] }) else { return }
        var g = try backwardAllButFirst(outputGradient)
        if first is any InPlaceLayer {
            try LayerChain.backward(first, &g)  // no copy: `g` is ours alone
        } else {
            try first.accumulateParameterGradients(g)
        }
    }

    private func backwardAllButFirst(_ outputGradient: Tensor) throws -> Tensor {
        var g = outputGradient
        for layer in executionOrder.dropFirst().reversed().map({ layers[$0] }) {
            try LayerChain.backward(layer, &g)
        }
        return g
    }

    private static func backward(_ layer: any Layer, _ g: inout Tensor) throws {
        if let elementwise = layer as? any InPlaceLayer {
            try elementwise.backward(inPlace: &g)
        } else {
            g = try layer.backward(g)
        }
    }

    /// Swaps every `ReLU, MaxPool2D` pair.
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
}
