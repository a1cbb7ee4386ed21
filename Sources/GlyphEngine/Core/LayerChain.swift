/// Layers run one after the other: how `Sequential` and `Checkpointed` run theirs.
///
/// The order `forward` runs the layers in (`backward` runs it reversed) is the given order,
/// except that a ReLU directly followed by a max-pool runs after the pool. Max-pooling commutes
/// with any increasing function, so outputs and gradients are the same, and the ReLU then
/// touches (and keeps a mask for) a quarter of the values. A batch norm that then directly
/// precedes a 2x2 max-pool runs fused with it (`BatchNorm2D.forwardPooled`: the full-size
/// normalized activation is never written). Elementwise layers (`InPlaceLayer`) overwrite the
/// tensor they receive instead of allocating a second one.
///
/// A value that renames nothing: unlike `Sequential`, it leaves the layers' parameter names alone.
struct LayerChain {
    let layers: [any Layer]
    /// What runs, in order: one layer, or a batch norm and the max-pool after it.
    private enum Step {
        case layer(any Layer)
        case batchNormPool(BatchNorm2D, MaxPool2D)
    }
    private let steps: [Step]

    init(_ layers: [any Layer]) {
        self.layers = layers
        self.steps = LayerChain.steps(for: layers)
    }

    func outputShape(for inputShape: [Int]) throws -> [Int] {
        try layers.reduce(inputShape) { try $1.outputShape(for: $0) }
    }

    func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var x = input
        for step in steps {
            switch step {
            case .batchNormPool(let norm, let pool):
                x = try norm.forwardPooled(x, pool: pool, training: training)
            case .layer(let layer):
                if let elementwise = layer as? any InPlaceLayer {
                    try elementwise.forward(inPlace: &x, training: training)
                } else {
                    x = try layer.forward(x, training: training)
                }
            }
        }
        return x
    }

    func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let first = steps.first else { return outputGradient }
        var g = try backwardAllButFirst(outputGradient)
        try LayerChain.backward(first, &g)
        return g
    }

    /// `backward` without the chain's input gradient: the first layer only adds its parameter
    /// gradients (see `Layer.accumulateParameterGradients`).
    func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        guard let first = steps.first else { return }
        var g = try backwardAllButFirst(outputGradient)
        if case .layer(let layer) = first, !(layer is any InPlaceLayer) {
            try layer.accumulateParameterGradients(g)
        } else {
            try LayerChain.backward(first, &g)  // no copy: `g` is ours alone
        }
    }

    private func backwardAllButFirst(_ outputGradient: Tensor) throws -> Tensor {
        var g = outputGradient
        for step in steps.dropFirst().reversed() {
            try LayerChain.backward(step, &g)
        }
        return g
    }

    private static func backward(_ step: Step, _ g: inout Tensor) throws {
        switch step {
        case .batchNormPool(let norm, let pool):
            g = try norm.backwardPooled(g, pool: pool)
        case .layer(let layer):
            if let elementwise = layer as? any InPlaceLayer {
                try elementwise.backward(inPlace: &g)
            } else {
                g = try layer.backward(g)
            }
        }
    }

    /// The execution order as steps: `executionOrder`, with each batch norm that is directly
    /// followed by a fusable max-pool joined to it.
    private static func steps(for layers: [any Layer]) -> [Step] {
        let order = executionOrder(for: layers).map { layers[$0] }
        var steps: [Step] = []
        var i = 0
        while i < order.count {
            if i + 1 < order.count, let norm = order[i] as? BatchNorm2D, let pool = order[i + 1] as? MaxPool2D,
               BatchNorm2D.canFuse(pool) {
                steps.append(.batchNormPool(norm, pool))
                i += 2
            } else {
                steps.append(.layer(order[i]))
                i += 1
            }
        }
        return steps
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
