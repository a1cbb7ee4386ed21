import Foundation

/// What a data folder given on a command line holds: Omniglot (any form `Omniglot.load` reads)
/// or a user's folder of classes (`UserFolder`).
public enum DataFolderKind: String, Sendable, Equatable {
    case omniglot
    case userFolder

    /// Omniglot when `folder` holds `images_background` or `images_evaluation` as an npz, an
    /// official zip or its extracted folder; otherwise a user's folder. A missing path or a file
    /// is an error naming it.
    public static func detect(_ folder: URL) throws -> DataFolderKind {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { throw DataError.missingFile(folder.path) }
        guard isDirectory.boolValue else { throw DataError.badLayout(path: folder.path, reason: "is not a folder") }
        for set in ["background", "evaluation"] {
            for name in ["images_\(set).npz", "images_\(set).zip", "images_\(set)"]
                where fm.fileExists(atPath: folder.appendingPathComponent(name).path) {
                return .omniglot
            }
        }
        return .userFolder
    }
}
