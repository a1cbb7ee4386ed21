/// `max(x, 0)` elementwise, any shape.
///
/// Training keeps one byte per element (0x00 or 0xFF: whether the output is positive), a
/// quarter of a float copy; backward masks the output gradient's bits with it. Both loops
/// are branch-free integer code so that they vectorize. Runs in place inside `Sequential` and
/// `ExecutionPlan` (`InPlaceLayer`): the activation it receives is overwritten instead of copied.
public final class ReLU: InPlaceLayer {
    private var mask: [UInt8]?
    private var shape: [Int] = []

    public init() {}

    public var name: String { "ReLU" }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var output = input  // copied on the first write: `input` stays as it was
        try forward(inPlace: &output, training: training)
        return output
    }

    public func forward(inPlace tensor: inout Tensor, training: Bool) throws {
        let n = tensor.count
        guard n > 0 else { mask = training ? [] : nil; shape = tensor.shape; return }
        var keep = training ? [UInt8](unsafeUninitializedCapacity: n) { _, count in count = n } : []
        tensor.withUnsafeMutableBufferPointer { y in
        keep.withUnsafeMutableBufferPointer { m in
            ReLU.forwardKernel(y, m, count: n, keepMask: training)
        }}
        mask = training ? keep : nil
        shape = tensor.shape
    }

    /// `y = max(y, 0)` in place, and the mask of positive outputs when training.
    private static func forwardKernel(_ y: UnsafeMutableBufferPointer<Float>,
                                      _ mask: UnsafeMutableBufferPointer<UInt8>, count: Int, keepMask: Bool) {
        let chunks = max(1, min(ComputeThreads.count, count / 65536))
        parallelFor(chunks) { chunk in
            let lo = count * chunk / chunks, hi = count * (chunk + 1) / chunks
            let ys = UnsafeMutableRawPointer(y.baseAddress!).assumingMemoryBound(to: Int32.self)
            // Negative floats (sign bit set) become +0: bits & ~(bits >> 31).
            for i in lo..<hi { let b = ys[i]; ys[i] = b & ~(b >> 31) }
            if keepMask {
                // 0xFF where the output is positive: (0 - bits) >> 31 is -1 for bits > 0.
                let m = mask.baseAddress!
                for i in lo..<hi { m[i] = UInt8(truncatingIfNeeded: (0 &- ys[i]) >> 31) }
            }
        }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        var inputGradient = outputGradient  // copied on the first write
        try backward(inPlace: &inputGradient)
        return inputGradient
    }

    public func backward(inPlace gradient: inout Tensor) throws {
        guard let mask else { throw EngineError.backwardBeforeForward(layer: name) }
        guard gradient.shape == shape else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(shape)", got: gradient.shape)
        }
        self.mask = nil
        let n = gradient.count
        guard n > 0 else { return }
        gradient.withUnsafeMutableBufferPointer { g in
        mask.withUnsafeBufferPointer { m in
            let chunks = max(1, min(ComputeThreads.count, n / 65536))
            parallelFor(chunks) { chunk in
                let lo = n * chunk / chunks, hi = n * (chunk + 1) / chunks
                let bitsOf = UnsafeMutableRawPointer(g.baseAddress!).assumingMemoryBound(to: Int32.self)
                let keep = m.baseAddress!
                for i in lo..<hi { bitsOf[i] = bitsOf[i] & Int32(Int8(bitPattern: keep[i])) }
            }
        }}
    }
}
