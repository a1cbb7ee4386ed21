/// `max(x, 0)` elementwise, any shape.
///
/// Training keeps one byte per element (0x00 or 0xFF: whether the output is positive), a
/// quarter of a float copy; backward masks the output gradient's bits with it. Both loops
/// are branch-free integer code so that they vectorize.
public final class ReLU: Layer {
    private var mask: [UInt8]?
    private var shape: [Int] = []

    public init() {}

    public var name: String { "ReLU" }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let n = input.count
        var keep = training ? [UInt8](repeating: 0, count: n) : []
        let output = Tensor(shape: input.shape) { out in
            input.withUnsafeBufferPointer { x in
            keep.withUnsafeMutableBufferPointer { m in
                ReLU.forwardKernel(x, out, m, count: n, keepMask: training)
            }}
        }
        mask = training ? keep : nil
        shape = input.shape
        return output
    }

    private static func forwardKernel(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>,
                                      _ mask: UnsafeMutableBufferPointer<UInt8>, count: Int, keepMask: Bool) {
        let chunks = max(1, min(ComputeThreads.count, count / 65536))
        parallelFor(chunks) { chunk in
            let lo = count * chunk / chunks, hi = count * (chunk + 1) / chunks
            let xs = UnsafeRawPointer(x.baseAddress!).assumingMemoryBound(to: Int32.self)
            let ys = UnsafeMutableRawPointer(y.baseAddress!).assumingMemoryBound(to: Int32.self)
            // Negative floats (sign bit set) become +0: bits & ~(bits >> 31).
            for i in lo..<hi { let b = xs[i]; ys[i] = b & ~(b >> 31) }
            if keepMask {
                // 0xFF where the output is positive: (0 - bits) >> 31 is -1 for bits > 0.
                let m = mask.baseAddress!
                for i in lo..<hi { m[i] = UInt8(truncatingIfNeeded: (0 &- ys[i]) >> 31) }
            }
        }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let mask else { throw EngineError.backwardBeforeForward(layer: name) }
        guard outputGradient.shape == shape else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(shape)", got: outputGradient.shape)
        }
        self.mask = nil
        let n = outputGradient.count
        return Tensor(shape: shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
            mask.withUnsafeBufferPointer { m in
                let chunks = max(1, min(ComputeThreads.count, n / 65536))
                parallelFor(chunks) { chunk in
                    let lo = n * chunk / chunks, hi = n * (chunk + 1) / chunks
                    let src = UnsafeRawPointer(dy.baseAddress!).assumingMemoryBound(to: Int32.self)
                    let dst = UnsafeMutableRawPointer(dx.baseAddress!).assumingMemoryBound(to: Int32.self)
                    let bits = m.baseAddress!
                    for i in lo..<hi { dst[i] = src[i] & Int32(Int8(bitPattern: bits[i])) }
                }
            }}
        }
    }
}
