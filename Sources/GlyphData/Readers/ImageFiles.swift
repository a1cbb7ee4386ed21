import Foundation

/// Walks the PNG files of a zip archive or a folder alike, so every reader accepts both.
enum ImageFiles {
    /// Calls `body` with the path (`archive.zip:member/path` or the file's path, `/`-separated) and
    /// the bytes of every `.png` file, in path order. Hidden files and macOS resource forks are skipped.
    static func forEachPNG(in url: URL, _ body: (String, Data) throws -> Void) throws {
        try forEachFile(in: url, where: { isPNG($0) }, body)
    }

    static func isPNG(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.lowercased().hasSuffix(".png") && !name.hasPrefix(".") && !path.contains("__MACOSX")
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    static func forEachFile(in url: URL, where keep: (String) -> Bool, _ body: (String, Data) throws -> Void) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: url.path) else { throw DataError.missingFile(url.path) }
        if isDirectory(url) {
            for path in try relativeFiles(in: url) where keep(path) {
                let file = url.appendingPathComponent(path)
                guard let data = fm.contents(atPath: file.path) else {
                    throw DataError.badLayout(path: file.path, reason: "cannot be read")
                }
                try body(file.path, data)
            }
        } else {
            let zip = try ZipSource(url: url)
            let entries = zip.fileEntries.filter { keep($0.path) }.sorted { $0.path < $1.path }
            for entry in entries {
                try body("\(url.path):\(entry.path)", try zip.read(entry))
            }
        }
    }

    /// Paths of the regular files under `folder`, relative to it, sorted.
    static func relativeFiles(in folder: URL) throws -> [String] {
        let fm = FileManager.default
        guard fm.isReadableFile(atPath: folder.path),
              let names = try? fm.subpathsOfDirectory(atPath: folder.path) else {
            throw DataError.badLayout(path: folder.path, reason: "the folder cannot be read")
        }
        return names.filter { !isDirectory(folder.appendingPathComponent($0)) }.sorted()
    }
}
