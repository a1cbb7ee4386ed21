import Foundation

/// One image of an index: its file and, where the folder layout gives them, its class label
/// and group (script, alphabet, font family...).
public struct IndexEntry: Sendable, Equatable, Codable {
    public var path: String
    public var label: String?
    public var group: String?

    public init(path: String, label: String? = nil, group: String? = nil) {
        self.path = path
        self.label = label
        self.group = group
    }

    /// The entry for `file` found under the folder `root` given on the command line:
    /// `<class>/<image>` gives a label, `<group>/<class>/<image>` a group and a label (deeper
    /// files take the two folders nearest to them), an image directly in `root` (or a file given
    /// by itself, `root == nil`) neither.
    public static func from(file: URL, root: URL?) -> IndexEntry {
        let path = file.standardizedFileURL.path
        guard let root else { return IndexEntry(path: path) }
        let rootPath = root.standardizedFileURL.path
        let prefix = rootPath.hasSuffix("/") ? rootPath : rootPath + "/"
        guard path.hasPrefix(prefix) else { return IndexEntry(path: path) }
        let folders = path.dropFirst(prefix.count).split(separator: "/").dropLast().map(String.init)
        switch folders.count {
        case 0: return IndexEntry(path: path)
        case 1: return IndexEntry(path: path, label: folders[0])
        default: return IndexEntry(path: path, label: folders[folders.count - 1], group: folders[folders.count - 2])
        }
    }

    /// `group/label`, `label`, or nil.
    public var displayLabel: String? {
        guard let label else { return nil }
        return group.map { "\($0)/\(label)" } ?? label
    }
}
