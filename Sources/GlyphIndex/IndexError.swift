/// What can go wrong with an index file or a search, each naming the file and the problem.
public enum IndexError: Error, Equatable, CustomStringConvertible {
    /// Not an index, truncated, corrupt (checksum), or inconsistent inside.
    case unreadable(file: String, reason: String)
    /// A GlyphSim index of a format version this build does not read.
    case unsupportedVersion(file: String, found: UInt32, supported: UInt32)
    /// Built by another model: its embeddings are not comparable with this model's.
    case foreignModel(file: String, indexFingerprint: String, modelFingerprint: String)
    /// The approximate index beside an index is missing, stale or corrupt.
    case approximate(file: String, reason: String)
    /// A bad argument (k, an empty query list, a query of the wrong size).
    case invalidArgument(String)
    /// Writing failed.
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "index \(file) cannot be read: \(reason)"
        case let .unsupportedVersion(file, found, supported):
            return "index \(file) has format version \(found); this GlyphSim reads version \(supported) (rebuild it with `glyphsim index build`)"
        case let .foreignModel(file, index, model):
            return "index \(file) was built by model \(index), this is \(model) (rebuild the index with this model)"
        case let .approximate(file, reason): return "approximate index \(file): \(reason)"
        case let .invalidArgument(text): return text
        case let .writeFailed(file, reason): return "cannot write \(file): \(reason)"
        }
    }
}
