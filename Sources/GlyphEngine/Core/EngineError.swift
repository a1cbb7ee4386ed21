/// What can go wrong in the engine. Every case names the layer or file involved, so a
/// message on its own tells a user what to fix.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    /// A layer was given a tensor of a shape it cannot take.
    case shapeMismatch(layer: String, expected: String, got: [Int])
    /// `backward` was called without a preceding training-mode `forward`.
    case backwardBeforeForward(layer: String)
    /// A configuration value is out of range (e.g. a kernel larger than its input).
    case invalidArgument(String)
    /// A checkpoint file could not be read.
    case checkpointUnreadable(file: String, reason: String)
    /// A checkpoint holds another model than the one it is loaded into.
    case architectureMismatch(file: String, expected: String, found: String)
    /// A file could not be written.
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(layer, expected, got):
            return "\(layer): expected input of shape \(expected), got \(got)"
        case let .backwardBeforeForward(layer):
            return "\(layer): backward called before a training-mode forward"
        case let .invalidArgument(message):
            return message
        case let .checkpointUnreadable(file, reason):
            return "\(file): not a readable checkpoint: \(reason)"
        case let .architectureMismatch(file, expected, found):
            return "\(file): checkpoint holds another model: expected \(expected), found \(found)"
        case let .writeFailed(file, reason):
            return "\(file): could not write: \(reason)"
        }
    }
}
