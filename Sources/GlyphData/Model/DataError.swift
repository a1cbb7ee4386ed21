/// What can go wrong reading Omniglot or a user's images. Every case names the file, so
/// the message alone tells a user which file is at fault and why.
public enum DataError: Error, Equatable, CustomStringConvertible {
    case missingFile(String)
    case corruptPNG(file: String, reason: String)
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
