/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight
/// decay, computing exactly what `torch.optim.SGD` computes (dampening 0):
///
///     d = g + weightDecay * w                  (weight decay only where `appliesWeightDecay`)
///     buf = momentum * buf + d                 (buf = d on the first step)
///     d = nesterov ? d + momentum * buf : buf  (when momentum != 0)
///     w -= learningRate * learningRateMultiplier * d
///
/// The momentum buffer starts at zero, so the first step's `momentum * 0 + d` is exactly
/// PyTorch's `buf = d.clone()` without a first-step branch.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float
    /// Steps taken; saved so a resumed run can report where it is.
    public private(set) var stepCount = 0
    private var states = ParameterStates()

    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    private var keepsMomentum: Bool { momentum != 0 }

    public func step(_ parameters: [Parameter]) {
        stepCount += 1
        for p in parameters where p.isTrainable && p.gradient.count == p.value.count {
            let lr = learningRate * p.learningRateMultiplier
            let wd = p.appliesWeightDecay ? weightDecay : 0
            if keepsMomentum {
                let buffer = states.slots(for: p, slotCount: 1)[0]
                update(p, lr: lr, wd: wd, buffer: buffer)
            } else {
                update(p, lr: lr, wd: wd)
            }
        }
    }

    public func allocateState(for parameters: [Parameter]) {
        guard keepsMomentum else { return }
        for p in parameters where p.isTrainable && p.gradient.count == p.value.count {
            _ = states.slots(for: p, slotCount: 1)
        }
    }

    /// Plain SGD: one pass, no state.
    private func update(_ p: Parameter, lr: Float, wd: Float) {
        p.gradient.withUnsafeBufferPointer { g in
            p.value.withUnsafeMutableBufferPointer { w in
                for i in 0..<w.count {
                    w[i] -= lr * (g[i] + wd * w[i])
                }
            }
        }
    }

    /// SGD with (Nesterov) momentum: one pass over weight, gradient and buffer.
    private func update(_ p: Parameter, lr: Float, wd: Float, buffer: StateBuffer) {
        let m = momentum
        p.gradient.withUnsafeBufferPointer { g in
            p.value.withUnsafeMutableBufferPointer { w in
                buffer.scalars.withUnsafeMutableBufferPointer { buf in
                    if nesterov {
                        for i in 0..<w.count {
                            let d = g[i] + wd * w[i]
                            let b = m * buf[i] + d
                            buf[i] = b
                            w[i] -= lr * (d + m * b)
                        }
                    } else {
                        for i in 0..<w.count {
                            let b = m * buf[i] + (g[i] + wd * w[i])
                            buf[i] = b
                            w[i] -= lr * b
                        }
                    }
                }
            }
        }
    }

    private func expectedShapes(for parameters: [Parameter]) -> [String: [Int]] {
        var shapes = [OptimizerState.stepName: [1]]
        if keepsMomentum {
            for p in parameters where p.isTrainable { shapes[OptimizerState.name(p, "momentum_buffer")] = p.value.shape }
        }
        return shapes
    }

    /// `optimizer.step` and, with momentum, `optimizer.<name>.momentum_buffer` for every
    /// trainable parameter (zeros for one that has not stepped yet, which behaves the same).
    public func stateTensors(for parameters: [Parameter]) -> [String: Tensor] {
        var tensors = [OptimizerState.stepName: OptimizerState.stepTensor(stepCount)]
        if keepsMomentum {
            for p in parameters where p.isTrainable {
                let scalars = states.existingSlots(for: p)?[0].scalars ?? [Float](repeating: 0, count: p.value.count)
                tensors[OptimizerState.name(p, "momentum_buffer")] = Tensor(shape: p.value.shape, scalars: scalars)
            }
        }
        return tensors
    }

    public func loadState(_ tensors: [String: Tensor], for parameters: [Parameter]) throws {
        try OptimizerState.validate(tensors, expected: expectedShapes(for: parameters))
        let step = try OptimizerState.readStep(tensors)
        states.removeAll()
        if keepsMomentum {
            for p in parameters where p.isTrainable {
                states.set([StateBuffer(tensors[OptimizerState.name(p, "momentum_buffer")]!.scalars)], for: p)
            }
        }
        stepCount = step
    }
}
