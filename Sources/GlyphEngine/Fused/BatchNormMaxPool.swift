/// Batch norm followed by a 2x2, stride-2 max-pool (every block of Conv-4), run as one pass.
///
/// **Never materializes** the full-size normalized activation, nor, in backward, the pool's
/// full-size input gradient (three quarters zeros). Apart, batch norm writes its whole output,
/// the pool reads it back, and in backward the pool writes that gradient and batch norm reads
/// it twice: five trips of the block's largest tensor through memory. Fused, each channel's
/// statistics are computed and its planes normalized and pooled while they are in cache, and
/// only the pooled output and the pool's one-byte positions are written; backward reads the
/// pooled gradient and the positions and writes the input gradient once.
///
/// **Why it is equal:** the normalized values are the unfused ones bit for bit (the same
/// formula per value), so the pool picks the same positions; backward's per-channel sums add
/// the same non-zero terms in another order, so gradients agree to float rounding.
///
/// The step owns its cache (the input, per-channel mean and 1/std, the pool's positions); the
/// two layers keep their parameters, running statistics and names and are not touched
/// otherwise. A channel-blocked input (a oneDNN convolution's output) runs through the blocked
/// kernels (BatchNormMaxPool+Blocked.swift) and stays blocked. Made by `ExecutionPlan`.
public final class BatchNormMaxPool: Layer {
    public let norm: BatchNorm2D
    public let pool: MaxPool2D

    /// What a training forward pass keeps for backward.
    struct Cache {
        let input: Tensor
        let mean: [Float]
        let inverseStd: [Float]
        /// Per pooled output, the position of its maximum inside the 2x2 window (0...3).
        let argmax: [UInt8]
    }
    private var cache: Cache?

    /// Whether `pool` can run fused after a batch norm: a 2x2 window every 2 pixels.
    static func canFuse(_ pool: MaxPool2D) -> Bool { pool.size == 2 && pool.stride == 2 }

    init(_ norm: BatchNorm2D, _ pool: MaxPool2D) {
        precondition(BatchNormMaxPool.canFuse(pool), "BatchNormMaxPool: \(pool.name) is not a 2x2, stride-2 pool")
        self.norm = norm
        self.pool = pool
    }

    public var name: String { "BatchNorm+MaxPool(\(norm.channels))" }
    public var parameters: [Parameter] { norm.parameters }
    public var buffers: [Parameter] { norm.buffers }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try pool.outputShape(for: norm.outputShape(for: inputShape))
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (output, kept) = try norm.forwardPooled(input, pool: pool, training: training)
        cache = kept
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let cache else { throw EngineError.backwardBeforeForward(layer: name) }
        self.cache = nil
        return try norm.backwardPooled(outputGradient, pool: pool, cache: cache)
    }

    /// The cache of the last training forward pass, released (for `FirstBlockWeightGradient`,
    /// which owns this step).
    func takeCache() throws -> Cache {
        guard let cache else { throw EngineError.backwardBeforeForward(layer: name) }
        self.cache = nil
        return cache
    }
}

extension BatchNormMaxPool: BatchStatisticsLayer {}

extension BatchNormMaxPool: ChannelBlockedLayer {
    var acceptsChannelBlockedInput: Bool { true }
    var keepsLayout: Bool { false }
    /// The output has the input's layout, whatever is requested.
    func forward(_ input: Tensor, training: Bool, outputLayout: TensorLayout) throws -> Tensor {
        try forward(input, training: training)
    }
}
