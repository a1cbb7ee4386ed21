import GlyphRandom
@testable import GlyphEngine

/// A tensor of uniform values in `low..<high`, reproducible from `seed`.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<Tensor.count(of: shape)).map { _ in
        low + (high - low) * generator.nextUniform()
    })
}

/// A tensor whose values are far from each other and from zero (`|x| >= 0.1`, at least 0.03
/// apart), so that a finite-difference step never crosses a kink of ReLU or max pooling.
func kinkFreeTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    let count = Tensor.count(of: shape)
    var generator = SeededGenerator(seed: seed)
    var values = (0..<count).map { i -> Float in
        let magnitude = 0.1 + 0.03 * Float(i)
        return i % 2 == 0 ? magnitude : -magnitude
    }
    values.shuffle(using: &generator)
    let scale = 1 / max(values.map(abs).max() ?? 1, 1)
    return Tensor(shape: shape, scalars: values.map { $0 * scale * 2 })
}

/// Compares a layer's hand-written backward pass with central finite differences of the
/// projection loss `L = Σ forward(x) · R` (R random, L accumulated in Double).
struct GradientCheck {
    /// Relative error `‖numeric - analytic‖ / max(‖numeric‖, ‖analytic‖)` per checked tensor.
    struct Report {
        var input: Double
        var parameters: [String: Double]
        var worst: Double { max(input, parameters.values.max() ?? 0) }
    }

    static func loss(_ layer: any Layer, _ x: Tensor, _ r: Tensor) throws -> Double {
        let y = try layer.forward(x, training: true)
        var total = 0.0
        for i in 0..<y.count { total += Double(y.scalars[i]) * Double(r.scalars[i]) }
        return total
    }


    static func run(_ layer: any Layer, input: Tensor, step: Float = 1e-2, seed: UInt64 = 99) throws -> Report {
        let y = try layer.forward(input, training: true)
        let r = randomTensor(y.shape, seed: seed)
        for p in layer.parameters { p.zeroGradient() }
        let inputGradient = try layer.backward(r)
        let analytic = layer.parameters.map { $0.gradient }

        var x = input
        var numericInput = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let original = x.scalars[i]
            x.scalars[i] = original + step
            let plus = try loss(layer, x, r)
            x.scalars[i] = original - step
            let minus = try loss(layer, x, r)
            x.scalars[i] = original
            numericInput[i] = (plus - minus) / (2 * Double(step))
        }
        var report = Report(input: relativeError(numericInput, inputGradient.scalars.map(Double.init)),
                            parameters: [:])
        for (p, grad) in zip(layer.parameters, analytic) {
            var numeric = [Double](repeating: 0, count: p.value.count)
            for i in 0..<p.value.count {
                let original = p.value.scalars[i]
                p.value.scalars[i] = original + step
                let plus = try loss(layer, input, r)
                p.value.scalars[i] = original - step
                let minus = try loss(layer, input, r)
                p.value.scalars[i] = original
                numeric[i] = (plus - minus) / (2 * Double(step))
            }
            report.parameters[p.name] = relativeError(numeric, grad.scalars.map(Double.init))
        }
        return report
    }
}
