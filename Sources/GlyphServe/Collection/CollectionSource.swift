import Foundation
import GlyphData
import GlyphSiamese

/// Which glyphs `glyphsim serve --data` embeds at start-up, recognised from the path given.
public enum CollectionSource: Sendable, Equatable {
    /// A data folder holding Omniglot (`images_<set>.npz`, the official zips or their folders):
    /// the given sets, at 105x105.
    case omniglot(folder: URL, sets: [OmniglotSet])
    /// One Omniglot npz repacking (`images_background.npz` or `images_evaluation.npz`).
    case omniglotNPZ(URL, set: OmniglotSet)
    /// A zip or folder in Omniglot's official layout `<Alphabet>/characterNN/IIII_KK.png`
    /// (e.g. `images_background_small1.zip`).
    case officialLayout(URL)
    /// A user's folder of `<class>/<image>` or `<group>/<class>/<image>` (PNG, JPEG, TIFF).
    case userFolder(URL)

    /// Recognises what `path` holds. `sets` applies to an Omniglot data folder.
    public static func detect(_ path: String, sets: [OmniglotSet] = [.evaluation]) throws -> CollectionSource {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ServeError.collection("\(path): no such file or folder")
        }
        if !isDirectory.boolValue {
            switch url.pathExtension.lowercased() {
            case "zip": return .officialLayout(url)
            case "npz":
                let name = url.lastPathComponent.lowercased()
                if name.contains("background") { return .omniglotNPZ(url, set: .background) }
                if name.contains("evaluation") { return .omniglotNPZ(url, set: .evaluation) }
                throw ServeError.collection("\(path): an Omniglot npz must be named images_background.npz or images_evaluation.npz")
            default:
                throw ServeError.collection("\(path): give a folder of images, an Omniglot data folder, an official-layout zip or an Omniglot npz")
            }
        }
        let holdsOmniglot = OmniglotSet.allCases.filter { $0 != .user }.contains { set in
            ["images_\(set.rawValue).npz", "images_\(set.rawValue).zip", "images_\(set.rawValue)"].contains {
                FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path)
            }
        }
        if holdsOmniglot {
            guard !sets.isEmpty, !sets.contains(.user) else {
                throw ServeError.collection("\(path): choose background and/or evaluation for an Omniglot data folder")
            }
            return .omniglot(folder: url, sets: sets)
        }
        return firstImageLooksOfficial(in: url) ? .officialLayout(url) : .userFolder(url)
    }

    /// True when the first image under `folder` is named like Omniglot's `IIII_KK.png`.
    private static func firstImageLooksOfficial(in folder: URL) -> Bool {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil,
                                                          options: [.skipsHiddenFiles]) else { return false }
        for case let file as URL in walker where ["png", "jpg", "jpeg", "tif", "tiff"].contains(file.pathExtension.lowercased()) {
            let stem = file.deletingPathExtension().lastPathComponent
            let fields = stem.split(separator: "_")
            return fields.count == 2 && fields.allSatisfy { $0.allSatisfy(\.isNumber) }
        }
        return false
    }
}

extension InMemoryCollection {
    /// Reads the glyphs of `source` and embeds them with `model`, in batches.
    public static func embedding(_ source: CollectionSource, with model: SiameseModel) throws -> InMemoryCollection {
        switch source {
        case let .omniglot(folder, sets):
            let parts = try sets.map { try Omniglot.load($0, from: folder) }
            return try omniglot(GlyphDataset.merged(parts), model: model,
                                summary: "Omniglot \(sets.map(\.rawValue).joined(separator: " + ")) from \(folder.path)")
        case let .omniglotNPZ(url, set):
            return try omniglot(Omniglot.loadNPZ(url, set: set), model: model, summary: "Omniglot \(set.rawValue) from \(url.path)")
        case let .officialLayout(url):
            return try omniglot(Omniglot.loadOfficial(url), model: model, summary: "Omniglot images from \(url.path)")
        case let .userFolder(url):
            let dataset = try UserFolder.load(url, preprocessing: model.preprocessing).dataset
            let root = url.standardizedFileURL.path
            let files = dataset.sources.map { URL(fileURLWithPath: $0) }
            let entries = dataset.labels.indices.map { i in
                CollectionEntry(id: i, file: relative(dataset.sources[i], to: root), label: dataset.characters[dataset.labels[i]].name)
            }
            return try InMemoryCollection(entries: entries, embeddings: try model.embed(dataset), thumbnails: .files(files),
                                          summary: "\(entries.count) images of \(dataset.characters.count) classes from \(url.path)")
        }
    }

    /// The drawings embedded as an upload of the same drawing would be: through the model's scan
    /// reading (crop, centre, frame) when it has one, so that a drawing uploaded as a file finds
    /// itself; legacy-reading models see them as the evaluator does (resized only).
    private static func embedAsUploads(_ dataset: GlyphDataset, sized: GlyphDataset, model: SiameseModel) throws -> Embeddings {
        let reading = model.preprocessing
        guard reading.crops || reading.normalizesPaper else { return try model.embed(sized) }
        let n = dataset.pixelsPerImage
        return try model.embed(count: dataset.imageCount) { i, destination in
            let paper = dataset.ink[(i * n)..<((i + 1) * n)].map { 255 - $0 }
            let read = ScanReading.read(GrayImage(width: dataset.side, height: dataset.side, pixels: paper), as: reading)
            read.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: read.count) }
        }
    }

    /// Omniglot drawings at 105x105: resized to the model's side as the evaluator does, and
    /// named by their path in the official layout (`images_<set>/<Alphabet>/characterNN/IIII_KK.png`).
    private static func omniglot(_ dataset: GlyphDataset, model: SiameseModel, summary: String) throws -> InMemoryCollection {
        let side = model.config.imageSize
        let sized = dataset.side == side ? dataset : dataset.resized(to: side)
        let entries = dataset.labels.indices.map { i -> CollectionEntry in
            let character = dataset.characters[dataset.labels[i]]
            let drawing = dataset.drawings[i] + 1
            let file: String
            if dataset.sources[i].hasPrefix("npz:") {
                file = "images_\(character.set.rawValue)/\(character.name)/\(padded(character.id, 4))_\(padded(drawing, 2)).png"
            } else {
                file = archiveMember(dataset.sources[i])
            }
            return CollectionEntry(id: i, file: file, label: character.name)
        }
        return try InMemoryCollection(entries: entries, embeddings: try embedAsUploads(dataset, sized: sized, model: model),
                                      thumbnails: .pixels(side: dataset.side, ink: dataset.ink),
                                      summary: "\(entries.count) drawings of \(dataset.characters.count) characters (\(summary))")
    }

    /// `archive.zip:member/path` -> `member/path`; a plain path stays as it is.
    private static func archiveMember(_ source: String) -> String {
        guard let colon = source.range(of: ".zip:") else { return source }
        return String(source[colon.upperBound...])
    }

    private static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func relative(_ path: String, to root: String) -> String {
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        return standardized.hasPrefix(root + "/") ? String(standardized.dropFirst(root.count + 1)) : standardized
    }
}
