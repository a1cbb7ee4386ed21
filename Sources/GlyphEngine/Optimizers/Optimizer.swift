/// Updates a model's trainable parameters from their gradients.
///
/// An optimizer keeps per-parameter state (momentum, Adam's moments) between steps. That
/// state is part of a training run: `stateTensors(for:)` exports it as named tensors so a
/// checkpoint can hold it, and `loadState(_:for:)` restores it so a resumed run continues
/// bit-exactly where it stopped.
public protocol Optimizer: AnyObject {
    /// The base rate of the next step; a `LearningRateSchedule` sets it each epoch.
    /// Each parameter's rate is this times its `learningRateMultiplier`.
    var learningRate: Float { get set }
    /// Updates every trainable parameter from its gradient. Skips buffers (non-trainable
    /// parameters) and does not zero the gradients: the caller does, before the next backward.
    func step(_ parameters: [Parameter])
    /// Creates the per-parameter state now (zero-filled, exactly as the first `step` would).
    /// Why: state created at the first step lands in the heap among the freed activations of
    /// the first forward and backward pass and splits their space (Koch's 151 MB dense
    /// momentum grew peak memory by about 200 MB); created before the first step, it sits
    /// with the weights. Optional: `step` creates whatever is missing.
    func allocateState(for parameters: [Parameter])
    /// Everything needed to resume bit-exactly (moments, step count), as named tensors for
    /// the checkpoint. Names start with `optimizer.` (see `OptimizerState.prefix`), so they can
    /// share a checkpoint with the model's tensors without colliding.
    func stateTensors(for parameters: [Parameter]) -> [String: Tensor]
    /// Restores what `stateTensors(for:)` exported. Throws `EngineError.architectureMismatch`
    /// (naming the first missing, extra or misshapen tensor) before changing any state.
    func loadState(_ tensors: [String: Tensor], for parameters: [Parameter]) throws
}

extension Optimizer {
    public func allocateState(for parameters: [Parameter]) {}
}

/// The optimizers a run can be configured with.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    /// Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.
    case sgd
    /// Adam with L2 weight decay added to the gradient (torch.optim.Adam).
    case adam
    /// Adam with decoupled weight decay (torch.optim.AdamW).
    case adamw

    /// A fresh optimizer of this kind. `momentum` only matters for SGD.
    public func make(learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
                     weightDecay: Float = 0) -> any Optimizer {
        switch self {
        case .sgd:
            return SGD(learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        case .adam:
            return Adam(learningRate: learningRate, weightDecay: weightDecay, decoupledWeightDecay: false)
        case .adamw:
            return Adam(learningRate: learningRate, weightDecay: weightDecay, decoupledWeightDecay: true)
        }
    }
}

/// Naming and validation shared by the optimizers' `stateTensors` / `loadState`.
///
/// State tensors are named `optimizer.<parameter name>.<slot>` (e.g.
/// `optimizer.0.weight.exp_avg`), plus `optimizer.step` for the step count.
public enum OptimizerState {
    public static let prefix = "optimizer."
    static let stepName = prefix + "step"

    static func name(_ parameter: Parameter, _ slot: String) -> String {
        "\(prefix)\(parameter.name).\(slot)"
    }

    /// The step count as a one-element tensor. Float32 counts exactly up to 2^24 (16.7 M steps).
    static func stepTensor(_ step: Int) -> Tensor {
        Tensor(shape: [1], scalars: [Float(step)])
    }

    /// Reads `optimizer.step`; a missing, misshapen, negative or fractional count is refused.
    static func readStep(_ tensors: [String: Tensor]) throws -> Int {
        guard let t = tensors[stepName] else {
            throw mismatch(expected: "tensor \(stepName)", found: "no such tensor")
        }
        guard t.shape == [1], let v = t.scalars.first, v >= 0, v == v.rounded(), v < 16_777_216 else {
            throw mismatch(expected: "\(stepName) holding one whole number", found: "\(t)")
        }
        return Int(v)
    }

    /// Checks that `tensors` holds exactly the `expected` names under the prefix, each with
    /// its expected shape; names outside the prefix (the model's tensors) are ignored.
    static func validate(_ tensors: [String: Tensor], expected: [String: [Int]]) throws {
        for name in expected.keys.sorted() {
            guard let t = tensors[name] else {
                throw mismatch(expected: "tensor \(name) of shape \(expected[name]!)", found: "no such tensor")
            }
            if t.shape != expected[name]! {
                throw mismatch(expected: "\(name) of shape \(expected[name]!)", found: "shape \(t.shape)")
            }
        }
        let extra = tensors.keys.filter { $0.hasPrefix(prefix) && expected[$0] == nil }.sorted()
        if let name = extra.first {
            throw mismatch(expected: "no tensor \(name) (this optimizer does not keep it)",
                           found: "\(name) of shape \(tensors[name]!.shape)")
        }
    }

    static func mismatch(expected: String, found: String) -> EngineError {
        .architectureMismatch(file: "optimizer state", expected: expected, found: found)
    }
}

/// One parameter's state buffer, in a class so that updating it in place never copies.
final class StateBuffer {
    var scalars: [Float]
    init(count: Int) { scalars = [Float](repeating: 0, count: count) }
    init(_ scalars: [Float]) { self.scalars = scalars }
}

/// Per-parameter state keyed by the parameter's identity. The entry holds the parameter
/// itself, so it stays alive and its identity cannot be reused by another object.
struct ParameterStates {
    private var entries: [ObjectIdentifier: (owner: Parameter, slots: [StateBuffer])] = [:]

    /// The parameter's slots, created zero-filled (`slotCount` of them) on first use.
    mutating func slots(for parameter: Parameter, slotCount: Int) -> [StateBuffer] {
        let key = ObjectIdentifier(parameter)
        if let entry = entries[key], entry.slots.first?.scalars.count == parameter.value.count {
            return entry.slots
        }
        let slots = (0..<slotCount).map { _ in StateBuffer(count: parameter.value.count) }
        entries[key] = (parameter, slots)
        return slots
    }

    func existingSlots(for parameter: Parameter) -> [StateBuffer]? {
        entries[ObjectIdentifier(parameter)]?.slots
    }

    mutating func set(_ slots: [StateBuffer], for parameter: Parameter) {
        entries[ObjectIdentifier(parameter)] = (parameter, slots)
    }

    mutating func removeAll() { entries.removeAll() }
}
