import GlyphRandom

/// A fully connected layer `y = x Wᵀ + b` on `[N, in]`, weight `[out, in]` and bias `[out]`
/// as PyTorch's `nn.Linear`. All three products go through one sgemm each.
public final class Dense: Layer {
    public let inFeatures: Int
    public let outFeatures: Int
    public let weight: Parameter
    public let bias: Parameter?

    private var cachedInput: Tensor?

    public init(inFeatures: Int, outFeatures: Int, useBias: Bool = true,
                weightInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        var generator = SeededGenerator(seed: 0)
        weight = Parameter(name: "weight", shape: [outFeatures, inFeatures], initializer: weightInitializer,
                           fanIn: inFeatures, fanOut: outFeatures, generator: &generator)
        bias = useBias
            ? Parameter(name: "bias", shape: [outFeatures], initializer: biasInitializer,
                        fanIn: inFeatures, fanOut: outFeatures, generator: &generator)
            : nil
    }

    public var name: String { "Dense(\(inFeatures)->\(outFeatures))" }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 2, inputShape[1] == inFeatures else {
            throw EngineError.shapeMismatch(layer: name, expected: "[N, \(inFeatures)]", got: inputShape)
        }
        return [inputShape[0], outFeatures]
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let shape = try outputShape(for: input.shape)
        let n = shape[0], o = outFeatures, k = inFeatures
        cachedInput = training ? input : nil
        return Tensor(shape: shape) { y in
            guard n > 0, let y = y.baseAddress else { return }
            if let b = bias?.value.scalars {
                for row in 0..<n { (y + row * o).update(from: b, count: o) }
            } else {
                y.update(repeating: 0, count: n * o)
            }
            input.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { w in
                gemm(transposeB: true, m: n, n: o, k: k, a: x.baseAddress!, lda: k, b: w.baseAddress!, ldb: k,
                     beta: 1, c: y, ldc: o)
            }}
        }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let input = cachedInput else { throw EngineError.backwardBeforeForward(layer: name) }
        let n = input.shape[0], o = outFeatures, k = inFeatures
        guard outputGradient.shape == [n, o] else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \([n, o])", got: outputGradient.shape)
        }
        cachedInput = nil
        guard n > 0 else { return Tensor(zeros: input.shape) }
        outputGradient.withUnsafeBufferPointer { dy in
        input.withUnsafeBufferPointer { x in
        weight.gradient.withUnsafeMutableBufferPointer { dw in
            // dW[out, in] += dyᵀ[out, N] · x[N, in]
            gemm(transposeA: true, m: o, n: k, k: n, a: dy.baseAddress!, lda: o, b: x.baseAddress!, ldb: k,
                 beta: 1, c: dw.baseAddress!, ldc: k)
        }}}
        if let bias {
            outputGradient.withUnsafeBufferPointer { dy in
            bias.gradient.withUnsafeMutableBufferPointer { db in
                for row in 0..<n {
                    let r = dy.baseAddress! + row * o
                    for j in 0..<o { db[j] += r[j] }
                }
            }}
        }
        return Tensor(shape: input.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
            weight.value.withUnsafeBufferPointer { w in
                // dx[N, in] = dy[N, out] · W[out, in]
                gemm(m: n, n: k, k: o, a: dy.baseAddress!, lda: o, b: w.baseAddress!, ldb: k,
                     c: dx.baseAddress!, ldc: k)
            }}
        }
    }
}
