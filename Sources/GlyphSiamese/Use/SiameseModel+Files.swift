import Foundation
import GlyphData

/// Using a trained model on a user's own glyph images (any PNG: size, colour type, polarity).
///
/// ```swift
/// let model = try SiameseModel.load(from: try SiameseModel.checkpointURL(for: "runs/default"))
/// let verdict = try model.compare(URL(fileURLWithPath: "a.png"), URL(fileURLWithPath: "b.png"))
/// print(verdict.distance, verdict.isSame ?? false)
/// ```
extension SiameseModel {
    /// Reads a PNG as the model's input: grayscale, area-resized to the model's side, ink = 1.
    public func loadImage(_ url: URL, polarity: UserImages.Polarity = .auto) throws -> [Float] {
        try UserImages.load(file: url, side: config.imageSize, polarity: polarity)
    }

    public func compare(_ a: URL, _ b: URL, polarity: UserImages.Polarity = .auto) throws -> Comparison {
        try compare(loadImage(a, polarity: polarity), loadImage(b, polarity: polarity))
    }

    public func embed(files: [URL], polarity: UserImages.Polarity = .auto) throws -> Embeddings {
        try embed(images: files.map { try loadImage($0, polarity: polarity) })
    }

    /// The `top` images of `folder` (searched recursively) nearest to the query, nearest first.
    public func search(query: URL, in folder: URL, top: Int, polarity: UserImages.Polarity = .auto) throws
        -> [(file: URL, distance: Float)] {
        let files = try ImagePaths.list([folder])
        let candidates = try embed(files: files, polarity: polarity)
        let q = try embed(images: [loadImage(query, polarity: polarity)])
        var ranked: [(file: URL, distance: Float)] = []
        for i in 0..<candidates.count { ranked.append((files[i], q.distance(0, to: candidates, i))) }
        ranked.sort { a, b in a.distance < b.distance || (a.distance == b.distance && a.file.path < b.file.path) }
        return Array(ranked.prefix(max(top, 0)))
    }
}

/// Finding image files among files and folders given on a command line.
public enum ImagePaths {
    /// PNG files: each given file as is; each folder searched recursively, sorted by path.
    public static func list(_ paths: [URL]) throws -> [URL] {
        var files = [URL]()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
                throw DataError.missingFile(path.path)
            }
            if !isDirectory.boolValue { files.append(path); continue }
            guard let enumerator = FileManager.default.enumerator(at: path, includingPropertiesForKeys: nil) else {
                throw DataError.badLayout(path: path.path, reason: "cannot list the folder")
            }
            var found = [URL]()
            for case let url as URL in enumerator where url.pathExtension.lowercased() == "png" { found.append(url) }
            if found.isEmpty { throw DataError.badLayout(path: path.path, reason: "holds no PNG images") }
            files += found.sorted { $0.path < $1.path }
        }
        return files
    }
}

/// Writing embeddings for other tools: CSV with the file names, or NumPy's .npy.
public enum EmbeddingExport {
    /// `file,e0,e1,...` then one row per image. A file name holding a comma, a double quote,
    /// CR or LF is quoted as RFC 4180 says (in double quotes, with each double quote doubled),
    /// so every row still reads back as one record with the right name.
    public static func csv(names: [String], embeddings: Embeddings) -> String {
        var s = "file," + (0..<embeddings.dimension).map { "e\($0)" }.joined(separator: ",") + "\n"
        for (i, name) in names.enumerated() {
            s += csvField(name) + "," + embeddings.row(i).map { String($0) }.joined(separator: ",") + "\n"
        }
        return s
    }

    /// One CSV field, quoted when RFC 4180 requires it.
    public static func csvField(_ text: String) -> String {
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// The names file written beside a .npy: one name per line. A line cannot hold a name
    /// with CR or LF, so such a name is refused (naming it) rather than written as two lines
    /// that would shift every later name against its embedding row; CSV output holds any name.
    public static func namesText(_ names: [String]) throws -> String {
        if let bad = names.first(where: { $0.unicodeScalars.contains { $0 == "\r" || $0 == "\n" } }) {
            throw DataError.invalidArgument(
                "\(bad.debugDescription): a file name with a line break cannot be written to a .names.txt file "
                + "(one name per line); rename the file or write CSV (--out FILE.csv)")
        }
        return names.map { $0 + "\n" }.joined()
    }

    /// A version 1.0 .npy file holding a little-endian float32 array [count, dimension].
    public static func npy(_ embeddings: Embeddings) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(embeddings.count), \(embeddings.dimension)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(Data(header.utf8))
        for v in embeddings.values {
            let bits = v.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
        }
        return data
    }
}
