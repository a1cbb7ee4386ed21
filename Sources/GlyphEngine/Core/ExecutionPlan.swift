/// What actually runs when a tower runs: its layers, in order, or with fusion the fused steps
/// of Sources/GlyphEngine/Fused that compute the same values with fewer trips through memory.
///
/// ```swift
/// let plan = ExecutionPlan(tower, fusing: true)
/// print(plan.describe(inputShape: [1, 28, 28]))
/// // Conv2D 1->64 3x3 [direct] > BatchNorm+MaxPool(64) [fused, ...] > ReLU > Conv2D 64->64 3x3 [oneDNN, nChw16c] > ...
/// let embeddings = try plan.forward(images, training: true)
/// ```
///
/// A plan is a `Layer` you call like the tower: it has the tower's parameters (the same
/// objects, with the same names), so optimizers and checkpoints see no difference, and
/// `Sequential` itself stays a plain list of layers run as written. With `fusing: true`, the
/// rules are, in this order:
///
/// 1. `ReLU > MaxPool2D` runs as `MaxPool2D > ReLU` (`ReLUAfterPool`);
/// 2. `BatchNorm2D > MaxPool2D(2)` runs as one `BatchNormMaxPool` step;
/// 3. a plan that starts with `Conv2D > BatchNormMaxPool` runs them as `FirstBlockWeightGradient`;
/// 4. activations stay channel-blocked between oneDNN convolutions and the steps that take that
///    layout (`ChannelBlockedLayer`);
/// 5. each `Checkpointed` block gets rules 1 and 4 inside (its layers use no batch statistics).
///
/// Any other layer, a user's own included, runs as itself. Each fused step owns its caches.
public final class ExecutionPlan: Layer, CustomStringConvertible {
    /// The tower the plan runs.
    public let tower: Sequential
    public let isFusing: Bool
    /// The steps, in the order they run.
    public let steps: [any Layer]
    private let chain: LayerChain

    public init(_ tower: Sequential, fusing: Bool) {
        self.tower = tower
        self.isFusing = fusing
        steps = fusing ? ExecutionPlan.fusedSteps(tower.blocks, mayStartFirstBlock: true) : tower.blocks
        chain = LayerChain(steps, keepsChannelBlocked: fusing)
    }

    public var name: String { "ExecutionPlan(\(isFusing ? "fused" : "as written"): \(tower.name))" }
    public var parameters: [Parameter] { tower.parameters }
    public var buffers: [Parameter] { tower.buffers }
    public var parameterCount: Int { tower.parameterCount }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { try chain.outputShape(for: inputShape) }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try chain.forward(input, training: training)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor { try chain.backward(outputGradient) }

    /// The training step's backward pass: the plan's input gradient is not computed.
    public func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        try chain.accumulateParameterGradients(outputGradient)
    }

    public func zeroGradients() { tower.zeroGradients() }

    /// The steps as they run, e.g. `Conv2D 1->64 3x3 [direct] > BatchNorm+MaxPool [fused] > ReLU`.
    public var description: String { describe(inputShape: nil) }

    /// `description`, with each convolution's kernels and each blocked output's layout
    /// (`nChw16c`) worked out for images of `inputShape` (`[C, H, W]`, or `[N, C, H, W]`).
    public func describe(inputShape: [Int]?) -> String {
        var shape = inputShape.map { $0.count == 3 ? [1] + $0 : $0 }
        var layout = TensorLayout.plain
        var texts: [String] = []
        for (index, step) in steps.enumerated() {
            let blockedStep = step as? any ChannelBlockedLayer
            if !(blockedStep?.acceptsChannelBlockedInput ?? false) { layout = .plain }
            if step is Conv2D {
                layout = shape.map { writesBlocked(index, inputShape: $0) } ?? false ? .channelBlocked : .plain
            } else if blockedStep == nil {
                layout = .plain
            }
            var text = ExecutionPlan.label(step, inputShape: shape)
            if layout == .channelBlocked { text = text.hasSuffix("]") ? String(text.dropLast()) + ", nChw16c]" : text + " [nChw16c]" }
            texts.append(text)
            shape = shape.flatMap { try? step.outputShape(for: $0) }
        }
        return texts.isEmpty ? "(no layers)" : texts.joined(separator: " > ")
    }

    /// Whether the convolution at step `index` writes a channel-blocked output for an input of
    /// `shape` (as `LayerChain` asks and `Conv2D` decides).
    private func writesBlocked(_ index: Int, inputShape shape: [Int]) -> Bool {
        guard isFusing, let conv = steps[index] as? Conv2D, let g = try? conv.geometry(for: shape),
              conv.backend == .onednn, !conv.usesDirectForward(g), conv.outChannels % TensorLayout.block == 0
        else { return false }
        for step in steps[(index + 1)...] {
            if let blocked = step as? any ChannelBlockedLayer, blocked.keepsLayout { continue }
            return (step as? any ChannelBlockedLayer)?.acceptsChannelBlockedInput ?? false
        }
        return false
    }

    private static func label(_ step: any Layer, inputShape: [Int]?) -> String {
        switch step {
        case let conv as Conv2D:
            var kernels = conv.backend == .onednn ? "oneDNN" : "im2col"
            if let shape = inputShape, let g = try? conv.geometry(for: shape), conv.backend == .onednn,
               conv.usesDirectForward(g) {
                kernels = "direct"
            }
            return "Conv2D \(conv.inChannels)->\(conv.outChannels) \(conv.kernelSize)x\(conv.kernelSize) [\(kernels)]"
        case let normPool as BatchNormMaxPool:
            return "BatchNorm+MaxPool(\(normPool.norm.channels)) [fused]"
        case let block as FirstBlockWeightGradient:
            return label(block.conv, inputShape: inputShape) + " > BatchNorm+MaxPool(\(block.normPool.norm.channels)) "
                + "[fused, with the convolution's weight gradient]"
        case let block as Checkpointed:
            let inner = block.chainSteps.map { label($0, inputShape: nil) }.joined(separator: " > ")
            return "Checkpointed(\(block.imagesPerChunk) images: \(inner))"
        default:
            return step.name
        }
    }

    /// The fusion rules above, over a list of layers (`Checkpointed` blocks kept whole).
    static func fusedSteps(_ layers: [any Layer], mayStartFirstBlock: Bool) -> [any Layer] {
        var steps: [any Layer] = []
        var rest = ReLUAfterPool.reorder(layers)[...]
        while let layer = rest.popFirst() {
            if let norm = layer as? BatchNorm2D, let pool = rest.first as? MaxPool2D, BatchNormMaxPool.canFuse(pool) {
                rest.removeFirst()
                steps.append(BatchNormMaxPool(norm, pool))
            } else if let block = layer as? Checkpointed {
                steps.append(block.fused())
            } else {
                steps.append(layer)
            }
        }
        if mayStartFirstBlock, steps.count >= 2, let conv = steps[0] as? Conv2D, let normPool = steps[1] as? BatchNormMaxPool,
           FirstBlockWeightGradient.canFuse(conv, normPool) {
            steps.replaceSubrange(0...1, with: [FirstBlockWeightGradient(conv, normPool)])
        }
        return steps
    }
}
