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
/// Activations between a convolution and the layers that can work on oneDNN's channel-blocked
/// layout stay in that layout (see `TensorLayout`): a convolution writes its output blocked when
/// the next layer that is not elementwise takes blocked input, the chain converts a blocked
/// tensor back to plain order before any layer that does not, and what the chain returns is
/// always plain. Backward hands each step its output gradient in the layout that step's output
/// had (recorded by the forward pass), so every layer sees one layout per call.
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
    /// The layouts of the last training forward pass: the chain's input and each step's output.
    private final class LayoutRecord {
        var input: TensorLayout = .plain
        var outputs: [TensorLayout] = []
    }
    private let record = LayoutRecord()

    init(_ layers: [any Layer]) {
        self.layers = layers
        self.steps = LayerChain.steps(for: layers)
    }

    /// Whether `step` computes on a channel-blocked input as it is (otherwise the chain converts).
    private static func acceptsBlocked(_ step: Step) -> Bool {
        switch step {
        case .batchNormPool: return true
        case .layer(let layer):
            if layer is ReLU { return true }
            if let conv = layer as? Conv2D { return conv.acceptsChannelBlockedInput }
            return false
        }
    }

    /// Whether the output of step `index` should be channel-blocked: the next step that is not
    /// elementwise (ReLU) takes blocked input. At the end of the chain it should not: the
    /// chain's output is plain.
    private func nextTakesBlocked(after index: Int) -> Bool {
        for step in steps[(index + 1)...] {
            if case .layer(let layer) = step, layer is ReLU { continue }
            return LayerChain.acceptsBlocked(step)
        }
        return false
    }

    func outputShape(for inputShape: [Int]) throws -> [Int] {
        try layers.reduce(inputShape) { try $1.outputShape(for: $0) }
    }

    func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var x = input
        var layouts: [TensorLayout] = []
        layouts.reserveCapacity(steps.count)
        for (index, step) in steps.enumerated() {
            if x.layout != .plain && !LayerChain.acceptsBlocked(step) { x = x.inLayout(.plain) }
            switch step {
            case .batchNormPool(let norm, let pool):
                x = try norm.forwardPooled(x, pool: pool, training: training)
            case .layer(let layer):
                if let conv = layer as? Conv2D {
                    x = try conv.forward(x, training: training,
                                         outputLayout: nextTakesBlocked(after: index) ? .channelBlocked : .plain)
                } else if let elementwise = layer as? any InPlaceLayer {
                    try elementwise.forward(inPlace: &x, training: training)
                } else {
                    x = try layer.forward(x, training: training)
                }
            }
            layouts.append(x.layout)
        }
        if training {
            record.input = input.layout
            record.outputs = layouts
        }
        return x.inLayout(.plain)
    }

    func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let first = steps.first else { return outputGradient }
        var g = try backwardAllButFirst(outputGradient)
        try backward(0, first, &g)
        return g.inLayout(record.input)
    }

    /// `backward` without the chain's input gradient: the first layer only adds its parameter
    /// gradients (see `Layer.accumulateParameterGradients`).
    ///
    /// A first convolution with a direct weight gradient followed by a fused batch norm + pool
    /// (Conv-4's first block) runs as one backward step: the convolution's output gradient is
    /// never stored (see `BatchNorm2D.backwardPooled(_:pool:intoWeightGradientOf:)`).
    func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        guard let first = steps.first else { return }
        if steps.count >= 2, case .layer(let layer) = first, let conv = layer as? Conv2D,
           conv.fusesWeightGradientIntoBatchNorm, case .batchNormPool(let norm, let pool) = steps[1] {
            var g = outputGradient
            for (index, step) in steps.enumerated().dropFirst(2).reversed() {
                try backward(index, step, &g)
            }
            try norm.backwardPooled(g.inLayout(.plain), pool: pool, intoWeightGradientOf: conv)
            return
        }
        var g = try backwardAllButFirst(outputGradient)
        if case .layer(let layer) = first, !(layer is any InPlaceLayer) {
            g = g.inLayout(record.outputs.first ?? .plain)
            try layer.accumulateParameterGradients(g)
        } else {
            try backward(0, first, &g)  // no copy: `g` is ours alone
        }
    }

    private func backwardAllButFirst(_ outputGradient: Tensor) throws -> Tensor {
        var g = outputGradient
        for (index, step) in steps.enumerated().dropFirst().reversed() {
            try backward(index, step, &g)
        }
        return g
    }

    /// Step `index`'s backward, given its output gradient in any layout.
    private func backward(_ index: Int, _ step: Step, _ g: inout Tensor) throws {
        if index < record.outputs.count { g = g.inLayout(record.outputs[index]) }
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
