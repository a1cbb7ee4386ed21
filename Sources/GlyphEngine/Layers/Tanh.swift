import Foundation

/// The hyperbolic tangent elementwise, any shape. Training keeps the output: the derivative
/// is `1 - y²`.
public final class Tanh: Layer {
    private var cachedOutput: Tensor?

    public init() {}

    public var name: String { "Tanh" }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let output = Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
                for i in 0..<x.count { y[i] = Foundation.tanh(x[i]) }
            }
        }
        cachedOutput = training ? output : nil
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let output = cachedOutput else { throw EngineError.backwardBeforeForward(layer: name) }
        guard outputGradient.shape == output.shape else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(output.shape)",
                                            got: outputGradient.shape)
        }
        cachedOutput = nil
        return Tensor(shape: output.shape) { dx in
            output.withUnsafeBufferPointer { y in
            outputGradient.withUnsafeBufferPointer { dy in
                for i in 0..<y.count { dx[i] = dy[i] * (1 - y[i] * y[i]) }
            }}
        }
    }
}
