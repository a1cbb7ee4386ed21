/// Scales each row of `[N, D]` to unit Euclidean length, as PyTorch's
/// `F.normalize(x, dim=1, eps=epsilon)`: `y = x / max(‖x‖, ε)`.
///
/// Training keeps the output and each row's divisor. For a row with `‖x‖ > ε` the Jacobian
/// is `(I - y yᵀ) / ‖x‖`; a row at or below ε was divided by a constant, so `dx = dy / ε`.
public final class L2Normalize: Layer {
    public let epsilon: Float

    private struct Cache {
        let output: Tensor
        let divisors: [Float]
        let projected: [Bool]
    }
    private var cache: Cache?

    public init(epsilon: Float = 1e-12) {
        self.epsilon = epsilon
    }

    public var name: String { "L2Normalize" }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 2 else {
            throw EngineError.shapeMismatch(layer: name, expected: "[N, D]", got: inputShape)
        }
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        _ = try outputShape(for: input.shape)
        let n = input.shape[0], d = input.shape[1]
        var divisors = [Float](repeating: 1, count: n)
        var projected = [Bool](repeating: false, count: n)
        let output = Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                for row in 0..<n {
                    let src = x.baseAddress! + row * d, dst = y.baseAddress! + row * d
                    var squares: Double = 0
                    for i in 0..<d { squares += Double(src[i]) * Double(src[i]) }
                    let norm = Float(squares.squareRoot())
                    let divisor = max(norm, epsilon)
                    divisors[row] = divisor
                    projected[row] = norm > epsilon
                    let inv = 1 / divisor
                    for i in 0..<d { dst[i] = src[i] * inv }
                }
            }
        }
        cache = training ? Cache(output: output, divisors: divisors, projected: projected) : nil
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let cache else { throw EngineError.backwardBeforeForward(layer: name) }
        let shape = cache.output.shape
        guard outputGradient.shape == shape else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(shape)", got: outputGradient.shape)
        }
        self.cache = nil
        let n = shape[0], d = shape[1]
        return Tensor(shape: shape) { dx in
            cache.output.withUnsafeBufferPointer { y in
            outputGradient.withUnsafeBufferPointer { dy in
                for row in 0..<n {
                    let ys = y.baseAddress! + row * d, g = dy.baseAddress! + row * d, out = dx.baseAddress! + row * d
                    var dot: Float = 0
                    if cache.projected[row] { for i in 0..<d { dot += ys[i] * g[i] } }
                    let inv = 1 / cache.divisors[row]
                    for i in 0..<d { out[i] = (g[i] - ys[i] * dot) * inv }
                }
            }}
        }
    }
}
