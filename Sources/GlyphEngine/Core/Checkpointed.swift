/// A block of layers that runs a batch a few images at a time and, for training, keeps only
/// the block's input: backward re-runs each chunk's forward pass, then its backward pass.
///
/// Why: the first block of a large network has the largest activations. Koch's conv1 > ReLU >
/// max-pool at 256 images holds a 604 MB convolution output in forward and a 604 MB gradient
/// of it in backward; chunks of 32 images hold 75 MB each, and the recomputation costs the
/// block's forward pass once more (about 2% of a Koch training step, which skipping conv1's
/// unneeded input gradient gives back; see `Layer.accumulateParameterGradients`).
///
/// Inside a `Sequential` the block's layers count as the model's own (their parameters keep
/// names such as `0.weight`), so checkpointing a block changes no checkpoint. Outputs and
/// gradients equal the plain run's up to float rounding. Layers that use batch statistics
/// (batch normalization) are refused: a chunk's statistics would not be the batch's.
/// A batch that fits in one chunk runs as a plain chain, with nothing recomputed. The layers
/// run in the order written; inside a fused `ExecutionPlan` the block runs a copy of itself
/// (`fused()`) whose chunks run the plan's fused steps.
public final class Checkpointed: Layer {
    public let layers: [any Layer]
    /// Images per chunk.
    public let imagesPerChunk: Int
    private let chain: LayerChain

    /// What a training forward pass left for backward.
    private enum Cache {
        /// The block's input, to recompute chunk by chunk.
        case input(Tensor)
        /// The batch ran as one chunk in training mode: its layers hold their own caches.
        case wholeBatch(inputShape: [Int])
    }
    private var cache: Cache?

    /// Throws `EngineError.invalidArgument` for a chunk size below 1 or a layer that uses batch
    /// statistics.
    public init(imagesPerChunk: Int, _ layers: [any Layer]) throws {
        guard imagesPerChunk > 0 else {
            throw EngineError.invalidArgument("Checkpointed: images per chunk must be positive, got \(imagesPerChunk)")
        }
        if let coupled = layers.first(where: { $0.usesBatchStatistics }) {
            throw EngineError.invalidArgument(
                "Checkpointed: \(coupled.name) uses batch statistics, which differ between chunks of a batch "
                + "(and its running statistics would be updated twice); run it outside the checkpointed block")
        }
        self.layers = layers
        self.imagesPerChunk = imagesPerChunk
        self.chain = LayerChain(layers)
    }

    /// A block with the same layers and chunks whose chain runs `steps` (same parameters).
    private init(imagesPerChunk: Int, layers: [any Layer], chain: LayerChain) {
        self.layers = layers
        self.imagesPerChunk = imagesPerChunk
        self.chain = chain
    }

    /// This block with `ExecutionPlan`'s fusion rules applied inside it: the same layers and
    /// parameters, its own cache.
    func fused() -> Checkpointed {
        Checkpointed(imagesPerChunk: imagesPerChunk, layers: layers,
                     chain: LayerChain(ExecutionPlan.fusedSteps(layers, mayStartFirstBlock: false), keepsChannelBlocked: true))
    }

    /// The steps each chunk runs.
    var chainSteps: [any Layer] { chain.steps }

    public convenience init(imagesPerChunk: Int, @LayerBuilder _ build: () throws -> [any Layer]) throws {
        try self.init(imagesPerChunk: imagesPerChunk, try build())
    }

    public var name: String {
        "Checkpointed(\(imagesPerChunk) images: \(layers.map(\.name).joined(separator: ", ")))"
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var buffers: [Parameter] { layers.flatMap(\.buffers) }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard !inputShape.isEmpty else {
            throw EngineError.shapeMismatch(layer: name, expected: "[N, ...]", got: inputShape)
        }
        return try chain.outputShape(for: inputShape)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let outputShape = try outputShape(for: input.shape)
        cache = nil
        let n = input.shape[0]
        if n <= imagesPerChunk {
            let output = try chain.forward(input, training: training)
            if training { cache = .wholeBatch(inputShape: input.shape) }
            return output
        }
        // Inference mode inside: the layers keep nothing, the chunk's activations are freed
        // as soon as its output is copied out.
        var output = Tensor(shape: outputShape) { _ in }
        let outputPerImage = output.count / n
        try forEachChunk(images: n) { range in
            let y = try chain.forward(input.slice(range), training: false)
            output.withUnsafeMutableBufferPointer { out in
                y.withUnsafeBufferPointer { chunk in
                    (out.baseAddress! + range.lowerBound * outputPerImage).update(from: chunk.baseAddress!, count: chunk.count)
                }
            }
        }
        if training { cache = .input(input) }
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        switch try takeCache(checking: outputGradient) {
        case .wholeBatch:
            return try chain.backward(outputGradient)
        case let .input(input):
            let n = input.shape[0], inputPerImage = input.count / n
            var inputGradient = Tensor(shape: input.shape) { _ in }
            try forEachChunk(images: n) { range in
                _ = try chain.forward(input.slice(range), training: true)
                let dx = try chain.backward(outputGradient.slice(range))
                inputGradient.withUnsafeMutableBufferPointer { all in
                    dx.withUnsafeBufferPointer { chunk in
                        (all.baseAddress! + range.lowerBound * inputPerImage).update(from: chunk.baseAddress!, count: chunk.count)
                    }
                }
            }
            return inputGradient
        }
    }

    /// Backward without the input gradient: each chunk's first layer only adds its parameter
    /// gradients (no input gradient is computed or assembled).
    public func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        switch try takeCache(checking: outputGradient) {
        case .wholeBatch:
            try chain.accumulateParameterGradients(outputGradient)
        case let .input(input):
            try forEachChunk(images: input.shape[0]) { range in
                _ = try chain.forward(input.slice(range), training: true)
                try chain.accumulateParameterGradients(outputGradient.slice(range))
            }
        }
    }

    /// The forward pass's cache, released (backward frees it, as every layer's does), after
    /// checking the output gradient's shape against it.
    private func takeCache(checking outputGradient: Tensor) throws -> Cache {
        guard let cache else { throw EngineError.backwardBeforeForward(layer: name) }
        let inputShape: [Int]
        switch cache {
        case let .input(input): inputShape = input.shape
        case let .wholeBatch(shape): inputShape = shape
        }
        let expected = try outputShape(for: inputShape)
        guard outputGradient.shape == expected else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(expected)", got: outputGradient.shape)
        }
        self.cache = nil
        return cache
    }

    private func forEachChunk(images n: Int, _ body: (Range<Int>) throws -> Void) throws {
        var first = 0
        while first < n {
            let end = min(first + imagesPerChunk, n)
            try body(first..<end)
            first = end
        }
    }
}
