/// `[N, d1, d2, ...]` to `[N, d1 * d2 * ...]`, as PyTorch's `nn.Flatten()`. Row-major order
/// makes this a change of shape only: no scalar moves.
public final class Flatten: Layer {
    private var inputShape: [Int]?

    public init() {}

    public var name: String { "Flatten" }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count >= 2 else {
            throw EngineError.shapeMismatch(layer: name, expected: "[N, ...] of rank 2 or more", got: inputShape)
        }
        return [inputShape[0], Tensor.count(of: Array(inputShape.dropFirst()))]
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let shape = try outputShape(for: input.shape)
        inputShape = training ? input.shape : nil
        return input.reshaped(shape)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputShape else { throw EngineError.backwardBeforeForward(layer: name) }
        let expected = try outputShape(for: inputShape)
        guard outputGradient.shape == expected else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(expected)", got: outputGradient.shape)
        }
        self.inputShape = nil
        return outputGradient.reshaped(inputShape)
    }
}
