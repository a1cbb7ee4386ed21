import GlyphData
import GlyphEngine

/// What can go wrong training or evaluating a Siamese model.
public enum SiameseError: Error, CustomStringConvertible {
    case invalidConfiguration(String)
    case nonFiniteLoss(step: Int, epoch: Int, value: Float)
    case runFolder(path: String, reason: String)
    /// A parameter or buffer went NaN or infinite after an update (`step` and `epoch` 1-based).
    case nonFiniteParameters(tensor: String, step: Int, epoch: Int)

    public var description: String {
        switch self {
        case let .invalidConfiguration(message): return message
        case let .nonFiniteLoss(step, epoch, value):
            return "training diverged: loss is \(value) at epoch \(epoch), step \(step); the last good checkpoint is kept"
        case let .runFolder(path, reason): return "\(path): \(reason)"
        case let .nonFiniteParameters(tensor, step, epoch):
            return "training diverged: tensor \(tensor) holds NaN or infinite values after epoch \(epoch), step \(step) "
                + "(try a lower --lr or --weight-decay); the last good checkpoint is kept"
        }
    }
}
