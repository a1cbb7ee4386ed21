/// A model's state as named tensors: what a checkpoint saves and restores.
extension Layer {
    /// All parameters and buffers by name (as `Sequential` names them, e.g. `0.weight`).
    public func stateTensors() -> [String: Tensor] {
        var tensors = [String: Tensor]()
        for p in parameters + buffers { tensors[p.name] = p.value }
        return tensors
    }

    /// Loads values into the model. Every parameter and buffer must be present with its
    /// shape, and no other tensor may be: otherwise throws
    /// `EngineError.architectureMismatch(file:expected:found:)` naming the first missing,
    /// extra or misshapen tensor, before any value is changed. A tensor holding NaN or
    /// infinity, or a negative running variance, is refused the same way
    /// (`EngineError.checkpointUnreadable` naming the tensor).
    public func loadState(_ tensors: [String: Tensor], file: String) throws {
        let targets = parameters + buffers
        for p in targets {
            guard let t = tensors[p.name] else {
                throw EngineError.architectureMismatch(
                    file: file, expected: "tensor \(p.name) of shape \(p.value.shape)", found: "no such tensor")
            }
            if t.shape != p.value.shape {
                throw EngineError.architectureMismatch(
                    file: file, expected: "\(p.name) of shape \(p.value.shape)", found: "\(p.name) of shape \(t.shape)")
            }
        }
        let known = Set(targets.map(\.name))
        if let extra = tensors.keys.filter({ !known.contains($0) }).sorted().first {
            throw EngineError.architectureMismatch(
                file: file, expected: "no tensor \(extra) (the model has \(targets.count) tensors)",
                found: "\(extra) of shape \(tensors[extra]!.shape)")
        }
        let given = Dictionary(uniqueKeysWithValues: targets.map { ($0.name, tensors[$0.name]!) })
        if let problem = FiniteCheck.problem(in: given) {
            throw EngineError.checkpointUnreadable(file: file, reason: problem)
        }
        for p in targets { p.value = tensors[p.name]! }
    }
}
