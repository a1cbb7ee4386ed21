/// What can go wrong reading Omniglot or a user's images. Every case names the file, so
/// the message alone tells a user which file is at fault and why.
public enum DataError: Error, Equatable, CustomStringConvertible {
    case missingFile(String)
    case corruptPNG(file: String, reason: String)
    /// A JPEG or TIFF file its library could not decode (`format` names the format).
    case corruptImage(file: String, format: String, reason: String)
    /// A file whose first bytes are none of PNG, JPEG or TIFF.
    case notAnImage(file: String)
    /// An image refused for its size (read from its header, before decoding): see `InputLimits`.
    case imageSize(file: String, reason: String)
    case corruptZip(file: String, reason: String)
    case corruptNPY(file: String, reason: String)
    case wrongImageSize(file: String, expected: String, found: String)
    case badLayout(path: String, reason: String)
    case notFound(String)
    case download(url: String, reason: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .missingFile(file): return "\(file): no such file or folder"
        case let .corruptPNG(file, reason): return "\(file): not a readable PNG: \(reason)"
        case let .corruptImage(file, format, reason): return "\(file): not a readable \(format): \(reason)"
        case let .notAnImage(file): return "\(file): not an image (PNG, JPEG or TIFF)"
        case let .imageSize(file, reason): return "\(file): image refused: \(reason)"
        case let .corruptZip(file, reason): return "\(file): not a readable zip archive: \(reason)"
        case let .corruptNPY(file, reason): return "\(file): not a usable NumPy array: \(reason)"
        case let .wrongImageSize(file, expected, found): return "\(file): image is \(found), expected \(expected)"
        case let .badLayout(path, reason): return "\(path): \(reason)"
        case let .notFound(message): return message
        case let .download(url, reason): return "download of \(url) failed: \(reason)"
        case let .invalidArgument(message): return message
        }
    }
}
