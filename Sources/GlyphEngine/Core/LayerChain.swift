/// Steps run one after the other, exactly in the given order: how `Sequential`, `Checkpointed`
/// and `ExecutionPlan` run theirs. It reorders and fuses nothing (`ExecutionPlan` decides the
/// steps); it only moves tensors between layouts and lets elementwise layers work in place.
///
/// Elementwise layers (`InPlaceLayer`) overwrite the tensor they receive instead of allocating
/// a second one. With `keepsChannelBlocked` (a fused plan), activations between a convolution
/// and the steps that can work on oneDNN's channel-blocked layout stay in that layout (see
/// `TensorLayout`, `ChannelBlockedLayer`): a convolution writes its output blocked when the
/// next step that is not elementwise takes blocked input, the chain converts a blocked tensor
/// back to plain order before any step that does not, and what the chain returns is always
/// plain. Backward hands each step its output gradient in the layout that step's output had
/// (recorded by the forward pass), so every step sees one layout per call. Without it every
/// tensor is plain.
///
/// A value that renames nothing: unlike `Sequential`, it leaves the layers' parameter names alone.
struct LayerChain {
    let steps: [any Layer]
    let keepsChannelBlocked: Bool
    /// The layouts of the last training forward pass: the chain's input and each step's output.
    private final class LayoutRecord {
        var input: TensorLayout = .plain
        var outputs: [TensorLayout] = []
    }
    private let record = LayoutRecord()

    init(_ steps: [any Layer], keepsChannelBlocked: Bool = false) {
        self.steps = steps
        self.keepsChannelBlocked = keepsChannelBlocked
    }

    /// Whether `step` computes on a channel-blocked input as it is (otherwise the chain converts).
    private static func acceptsBlocked(_ step: any Layer) -> Bool {
        (step as? any ChannelBlockedLayer)?.acceptsChannelBlockedInput ?? false
    }

    /// Whether the output of step `index` should be channel-blocked: the next step that does not
    /// just keep its input's layout takes blocked input. At the end of the chain it should not:
    /// the chain's output is plain.
    private func nextTakesBlocked(after index: Int) -> Bool {
        guard keepsChannelBlocked else { return false }
        for step in steps[(index + 1)...] {
            if let blocked = step as? any ChannelBlockedLayer, blocked.keepsLayout { continue }
            return LayerChain.acceptsBlocked(step)
        }
        return false
    }

    func outputShape(for inputShape: [Int]) throws -> [Int] {
        try steps.reduce(inputShape) { try $1.outputShape(for: $0) }
    }

    func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var x = input
        var layouts: [TensorLayout] = []
        layouts.reserveCapacity(steps.count)
        for (index, step) in steps.enumerated() {
            if x.layout != .plain && !LayerChain.acceptsBlocked(step) { x = x.inLayout(.plain) }
            if let elementwise = step as? any InPlaceLayer {
                try elementwise.forward(inPlace: &x, training: training)
            } else if keepsChannelBlocked, let blocked = step as? any ChannelBlockedLayer {
                x = try blocked.forward(x, training: training,
                                        outputLayout: nextTakesBlocked(after: index) ? .channelBlocked : .plain)
            } else {
                x = try step.forward(x, training: training)
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
        guard !steps.isEmpty else { return outputGradient }
        var g = try backwardAllButFirst(outputGradient)
        try backward(0, &g)
        return g.inLayout(record.input)
    }

    /// `backward` without the chain's input gradient: the first step only adds its parameter
    /// gradients (see `Layer.accumulateParameterGradients`).
    func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        guard let first = steps.first else { return }
        var g = try backwardAllButFirst(outputGradient)
        if first is any InPlaceLayer {
            try backward(0, &g)  // no copy: `g` is ours alone
        } else {
            g = g.inLayout(record.outputs.first ?? .plain)
            try first.accumulateParameterGradients(g)
        }
    }

    private func backwardAllButFirst(_ outputGradient: Tensor) throws -> Tensor {
        var g = outputGradient
        for index in steps.indices.dropFirst().reversed() {
            try backward(index, &g)
        }
        return g
    }

    /// Step `index`'s backward, given its output gradient in any layout.
    private func backward(_ index: Int, _ g: inout Tensor) throws {
        if index < record.outputs.count { g = g.inLayout(record.outputs[index]) }
        if let elementwise = steps[index] as? any InPlaceLayer {
            try elementwise.backward(inPlace: &g)
        } else {
            g = try steps[index].backward(g)
        }
    }
}
