import Foundation

/// Adam, computing what `torch.optim.Adam` (L2 weight decay added to the gradient) or, with
/// `decoupledWeightDecay`, `torch.optim.AdamW` computes (amsgrad off):
///
///     t += 1
///     g = g + weightDecay * w                 (Adam; only where `appliesWeightDecay`)
///     w = w * (1 - lr * weightDecay)          (AdamW instead)
///     m = m + (1 - beta1) * (g - m)           (PyTorch's lerp form)
///     v = beta2 * v + (1 - beta2) * g * g
///     w -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
///
/// with `lr = learningRate * learningRateMultiplier`. The bias corrections are computed in
/// Double once per step, as PyTorch does in Python floats.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    public let decoupledWeightDecay: Bool
    /// Steps taken: the `t` of the bias corrections.
    public private(set) var stepCount = 0
    private var states = ParameterStates()

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public func allocateState(for parameters: [Parameter]) {
        for p in parameters where p.isTrainable && p.gradient.count == p.value.count {
            _ = states.slots(for: p, slotCount: 2)
        }
    }

    public func step(_ parameters: [Parameter]) {
        stepCount += 1
        let t = Double(stepCount)
        let correction1 = 1 - pow(Double(beta1), t)
        let correction2Root = (1 - pow(Double(beta2), t)).squareRoot()
        for p in parameters where p.isTrainable && p.gradient.count == p.value.count {
            let lr = learningRate * p.learningRateMultiplier
            let wd = p.appliesWeightDecay ? weightDecay : 0
            let slots = states.slots(for: p, slotCount: 2)
            update(p, m: slots[0], v: slots[1],
                   l2: decoupledWeightDecay ? 0 : wd,
                   shrink: decoupledWeightDecay ? Float(1 - Double(lr) * Double(wd)) : 1,
                   stepSize: Float(Double(lr) / correction1),
                   correction2Root: Float(correction2Root))
        }
    }

    /// One pass over weight, gradient and both moments.
    private func update(_ p: Parameter, m: StateBuffer, v: StateBuffer, l2: Float, shrink: Float,
                        stepSize: Float, correction2Root: Float) {
        let oneMinusBeta1 = 1 - beta1, b2 = beta2, oneMinusBeta2 = 1 - beta2, eps = epsilon
        p.gradient.withUnsafeBufferPointer { g in
            p.value.withUnsafeMutableBufferPointer { w in
                m.scalars.withUnsafeMutableBufferPointer { m in
                    v.scalars.withUnsafeMutableBufferPointer { v in
                        for i in 0..<w.count {
                            let wi = w[i] * shrink
                            let gi = g[i] + l2 * wi
                            let mi = m[i] + oneMinusBeta1 * (gi - m[i])
                            let vi = b2 * v[i] + oneMinusBeta2 * gi * gi
                            m[i] = mi
                            v[i] = vi
                            w[i] = wi - stepSize * (mi / (vi.squareRoot() / correction2Root + eps))
                        }
                    }
                }
            }
        }
    }

    /// `optimizer.step`, and `optimizer.<name>.exp_avg` / `.exp_avg_sq` for every trainable
    /// parameter (zeros before its first step).
    public func stateTensors(for parameters: [Parameter]) -> [String: Tensor] {
        var tensors = [OptimizerState.stepName: OptimizerState.stepTensor(stepCount)]
        for p in parameters where p.isTrainable {
            let slots = states.existingSlots(for: p)
            for (index, slot) in ["exp_avg", "exp_avg_sq"].enumerated() {
                let scalars = slots?[index].scalars ?? [Float](repeating: 0, count: p.value.count)
                tensors[OptimizerState.name(p, slot)] = Tensor(shape: p.value.shape, scalars: scalars)
            }
        }
        return tensors
    }

    public func loadState(_ tensors: [String: Tensor], for parameters: [Parameter]) throws {
        var expected = [OptimizerState.stepName: [1]]
        for p in parameters where p.isTrainable {
            expected[OptimizerState.name(p, "exp_avg")] = p.value.shape
            expected[OptimizerState.name(p, "exp_avg_sq")] = p.value.shape
        }
        try OptimizerState.validate(tensors, expected: expected)
        let step = try OptimizerState.readStep(tensors)
        states.removeAll()
        for p in parameters where p.isTrainable {
            states.set([StateBuffer(tensors[OptimizerState.name(p, "exp_avg")]!.scalars),
                        StateBuffer(tensors[OptimizerState.name(p, "exp_avg_sq")]!.scalars)], for: p)
        }
        stepCount = step
    }
}
