import Foundation

/// How the learning rate changes from epoch to epoch. The trainer calls
/// `learningRate(base:epoch:)` at the start of each epoch and sets the optimizer's rate.
public enum LearningRateSchedule: Codable, Sendable, Equatable {
    /// The base rate throughout.
    case constant
    /// `lr_e = lr0 * (1 - decay)^e`; Koch et al. decayed by 1% per epoch (decay 0.01).
    case exponential(decayPerEpoch: Float)
    /// Multiplies the rate by `factor` every `everyEpochs` epochs.
    case step(everyEpochs: Int, factor: Float)
    /// Half a cosine from the base rate at epoch 0 down to `minimum` at `totalEpochs`
    /// (and `minimum` after it).
    case cosine(totalEpochs: Int, minimum: Float)

    /// The rate for a 0-based epoch. Computed in Double so long runs do not drift.
    public func learningRate(base: Float, epoch: Int) -> Float {
        let lr0 = Double(base), e = Double(max(epoch, 0))
        switch self {
        case .constant:
            return base
        case let .exponential(decay):
            return Float(lr0 * pow(1 - Double(decay), e))
        case let .step(every, factor):
            return Float(lr0 * pow(Double(factor), Double(max(epoch, 0) / max(every, 1))))
        case let .cosine(total, minimum):
            let progress = min(e / Double(max(total, 1)), 1)
            let low = Double(minimum)
            return Float(low + (lr0 - low) * (1 + cos(Double.pi * progress)) / 2)
        }
    }

    /// Parses the command line's form: `constant`, `exp:0.01`, `step:5:0.5`, `cosine` or
    /// `cosine:0.0001` (the minimum rate; default 0). A cosine spans `totalEpochs`, the run's
    /// length. Throws `EngineError.invalidArgument` naming the text and the accepted forms.
    public static func parse(_ text: String, totalEpochs: Int) throws -> LearningRateSchedule {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func fail(_ problem: String) -> EngineError {
            .invalidArgument("learning-rate schedule '\(text)': \(problem); expected one of "
                + "constant, exp:<decay per epoch in [0,1)>, step:<every epochs>:<factor>, cosine, cosine:<minimum rate>")
        }
        func number(_ s: String, _ what: String) throws -> Float {
            guard let v = Float(s), v.isFinite else { throw fail("\(what) '\(s)' is not a number") }
            return v
        }
        switch (parts[0].lowercased(), parts.count) {
        case ("constant", 1):
            return .constant
        case ("exp", 2):
            let decay = try number(parts[1], "decay")
            guard decay >= 0, decay < 1 else { throw fail("decay \(decay) is outside [0, 1)") }
            return .exponential(decayPerEpoch: decay)
        case ("step", 3):
            guard let every = Int(parts[1]), every > 0 else { throw fail("'\(parts[1])' is not a positive epoch count") }
            let factor = try number(parts[2], "factor")
            guard factor > 0 else { throw fail("factor \(factor) must be positive") }
            return .step(everyEpochs: every, factor: factor)
        case ("cosine", 1), ("cosine", 2):
            let minimum = parts.count == 2 ? try number(parts[1], "minimum") : 0
            guard minimum >= 0 else { throw fail("minimum \(minimum) must not be negative") }
            guard totalEpochs > 0 else { throw fail("a cosine schedule needs a positive epoch count, got \(totalEpochs)") }
            return .cosine(totalEpochs: totalEpochs, minimum: minimum)
        case ("constant", _), ("exp", _), ("step", _), ("cosine", _):
            throw fail("wrong number of ':'-separated values")
        default:
            throw fail("unknown schedule '\(parts[0])'")
        }
    }
}

extension LearningRateSchedule: CustomStringConvertible {
    /// The command line's form (a cosine's epoch count is the run's, so it is not shown).
    public var description: String {
        switch self {
        case .constant: return "constant"
        case let .exponential(decay): return "exp:\(decay)"
        case let .step(every, factor): return "step:\(every):\(factor)"
        case let .cosine(_, minimum): return minimum == 0 ? "cosine" : "cosine:\(minimum)"
        }
    }
}
