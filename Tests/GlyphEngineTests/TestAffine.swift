import Foundation
import GlyphEngine

/// A test-only dense layer, `y = x W^T + b` on `[batch, inputs]`, so the optimizer and
/// checkpoint tests do not depend on the real layers. With `withBuffer` it also owns a
/// non-trainable buffer (like batch norm's running mean) to exercise checkpoints of buffers.
final class TestAffine: Layer {
    let weight: Parameter
    let bias: Parameter
    let running: Parameter?
    let inputs: Int, outputs: Int
    private var cachedInput: Tensor?

    init(inputs: Int, outputs: Int, withBuffer: Bool = false, seed: Int = 1) {
        self.inputs = inputs
        self.outputs = outputs
        weight = Parameter(name: "weight", value: Tensor(shape: [outputs, inputs], scalars: (0..<(outputs * inputs)).map {
            Float(sin(Double($0 + seed) * 1.3)) * 0.5
        }))
        bias = Parameter(name: "bias", value: Tensor(zeros: [outputs]))
        running = withBuffer ? Parameter(name: "running_mean", value: Tensor(repeating: 0.5, shape: [outputs]), isTrainable: false) : nil
    }

    var name: String { "TestAffine(\(inputs)->\(outputs))" }
    var parameters: [Parameter] { [weight, bias] }
    var buffers: [Parameter] { running.map { [$0] } ?? [] }

    func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 2, inputShape[1] == inputs else {
            throw EngineError.shapeMismatch(layer: name, expected: "[N, \(inputs)]", got: inputShape)
        }
        return [inputShape[0], outputs]
    }

    func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let n = try outputShape(for: input.shape)[0]
        if training { cachedInput = input }
        var out = Tensor(zeros: [n, outputs])
        for s in 0..<n {
            for o in 0..<outputs {
                var sum = bias.value.scalars[o]
                for i in 0..<inputs { sum += input.scalars[s * inputs + i] * weight.value.scalars[o * inputs + i] }
                out.scalars[s * outputs + o] = sum
            }
        }
        return out
    }

    func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let x = cachedInput else { throw EngineError.backwardBeforeForward(layer: name) }
        let n = x.shape[0]
        var dx = Tensor(zeros: x.shape)
        for s in 0..<n {
            for o in 0..<outputs {
                let g = outputGradient.scalars[s * outputs + o]
                bias.gradient.scalars[o] += g
                for i in 0..<inputs {
                    weight.gradient.scalars[o * inputs + i] += g * x.scalars[s * inputs + i]
                    dx.scalars[s * inputs + i] += g * weight.value.scalars[o * inputs + i]
                }
            }
        }
        return dx
    }
}

/// A test-only ReLU, to make two-layer toys.
final class TestReLU: Layer {
    private var mask: [Bool] = []
    var name: String { "TestReLU" }
    func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        if training { mask = input.scalars.map { $0 > 0 } }
        return Tensor(shape: input.shape, scalars: input.scalars.map { max($0, 0) })
    }
    func backward(_ outputGradient: Tensor) throws -> Tensor {
        Tensor(shape: outputGradient.shape, scalars: zip(outputGradient.scalars, mask).map { $1 ? $0 : 0 })
    }
}
