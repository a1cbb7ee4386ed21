import Foundation
import GlyphData

/// Using a trained model on a user's own glyph images (PNG, JPEG or TIFF: any size, colour
/// type, polarity), read as the model's preprocessing says.
///
/// ```swift
/// let model = try SiameseModel.load(from: try SiameseModel.checkpointURL(for: "runs/default"))
/// let verdict = try model.compare(URL(fileURLWithPath: "a.png"), URL(fileURLWithPath: "b.jpg"))
/// print(verdict.distance, verdict.isSame ?? false)
/// ```
extension SiameseModel {
    /// How this model reads image files: recorded in its checkpoint (legacy reading for
    /// checkpoints saved before preprocessing was recorded).
    public var preprocessing: Preprocessing { config.imagePreprocessing }

    /// Reads an image file as the model's input; `polarity` overrides the model's when given.
    public func loadImage(_ url: URL, polarity: UserImages.Polarity? = nil) throws -> [Float] {
        try loadImage(url, preprocessing: preprocessing.with(polarity: polarity))
    }

    /// Reads an image file with another preprocessing of the same side (e.g. to compare readings).
    public func loadImage(_ url: URL, preprocessing: Preprocessing) throws -> [Float] {
        guard preprocessing.side == config.imageSize else {
            throw SiameseError.invalidConfiguration("preprocessing side \(preprocessing.side) but the model takes \(config.imageSize)x\(config.imageSize)")
        }
        return try UserImages.load(file: url, preprocessing: preprocessing)
    }

    public func compare(_ a: URL, _ b: URL, polarity: UserImages.Polarity? = nil) throws -> Comparison {
        try compare(loadImage(a, polarity: polarity), loadImage(b, polarity: polarity))
    }

    public func embed(files: [URL], polarity: UserImages.Polarity? = nil) throws -> Embeddings {
        try embed(images: files.map { try loadImage($0, polarity: polarity) })
    }

    /// Embeds the files that read; with `skipBadImages` a bad file becomes a warning line (naming
    /// it) instead of an error. Returns the files embedded, in order, and the warnings.
    public func embed(files: [URL], polarity: UserImages.Polarity? = nil, skipBadImages: Bool) throws
        -> (embeddings: Embeddings, files: [URL], warnings: [String]) {
        var images = [[Float]](), kept = [URL](), warnings = [String]()
        for file in files {
            do {
                images.append(try loadImage(file, polarity: polarity))
                kept.append(file)
            } catch let error as DataError where skipBadImages {
                warnings.append("\(error) (skipped)")
            }
        }
        if kept.isEmpty && !files.isEmpty {
            throw SiameseError.invalidConfiguration("none of the \(files.count) images could be read")
        }
        return (try embed(images: images), kept, warnings)
    }

    /// The `top` images of `folder` (searched recursively) nearest to the query, nearest first.
    public func search(query: URL, in folder: URL, top: Int, polarity: UserImages.Polarity? = nil) throws
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
    /// Image files: each given file as is (whatever its name: the decoder checks its bytes);
    /// each folder searched recursively for PNG, JPEG and TIFF files by extension, hidden files
    /// and `__MACOSX` folders skipped, sorted by path. A folder without images is an error.
    public static func list(_ paths: [URL]) throws -> [URL] {
        var files = [URL]()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
                throw DataError.missingFile(path.path)
            }
            if !isDirectory.boolValue { files.append(path); continue }
            guard let walk = FileManager.default.enumerator(atPath: path.path) else {
                throw DataError.badLayout(path: path.path, reason: "cannot list the folder")
            }
            var found = [String]()
            while let relative = walk.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                let type = walk.fileAttributes?[.type] as? FileAttributeType
                if name.hasPrefix(".") || name == "__MACOSX" {
                    if type == .typeDirectory { walk.skipDescendants() }
                    continue
                }
                if type != .typeDirectory && ImageFormat.hasImageExtension(name) { found.append(relative) }
            }
            if found.isEmpty { throw DataError.badLayout(path: path.path, reason: "holds no images (PNG, JPEG or TIFF)") }
            files += found.sorted().map { path.appendingPathComponent($0) }
        }
        return files
    }
}

/// Writing embeddings for other tools: CSV with the file names, or NumPy's .npy.
public enum EmbeddingExport {
    /// `file,e0,e1,...` then one row per image.
    public static func csv(names: [String], embeddings: Embeddings) -> String {
        var s = "file," + (0..<embeddings.dimension).map { "e\($0)" }.joined(separator: ",") + "\n"
        for (i, name) in names.enumerated() {
            let quoted = name.contains(",") || name.contains("\"") ? "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : name
            s += quoted + "," + embeddings.row(i).map { String($0) }.joined(separator: ",") + "\n"
        }
        return s
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
