import Foundation
import GlyphIndex
import GlyphSiamese

/// An index file built by `glyphsim index build` as the server's collection: nothing is
/// embedded at start-up, and an index built by another model is refused (its fingerprint).
/// Thumbnails are the indexed files themselves, reached by entry id only.
public struct IndexCollection: GlyphCollection {
    let index: EmbeddingIndex
    let file: String

    public init(file: URL, model: SiameseModel) throws {
        index = try IndexFile.read(from: file)
        try index.check(model: model, file: file.path)
        self.file = file.path
        guard index.count > 0 else { throw ServeError.collection("\(file.path): the index holds no entries") }
    }

    public var count: Int { index.count }
    public var dimension: Int { index.dimension }
    public var summary: String { "\(index.count) images from the index \(file)" }

    public func entry(_ id: Int) -> CollectionEntry? {
        guard index.entries.indices.contains(id) else { return nil }
        let e = index.entries[id]
        let label = [e.group, e.label].compactMap { $0 }.joined(separator: "/")
        return CollectionEntry(id: id, file: e.path, label: label)
    }

    public func nearest(to embedding: [Float], k: Int) throws -> [Neighbour] {
        guard embedding.count == dimension else {
            throw ServeError.collection("the query embedding has \(embedding.count) values, the index \(dimension)")
        }
        return ExactSearch.nearest(to: embedding, in: index.embeddings, dimension: dimension, k: k)
            .map { Neighbour(entry: entry($0.row)!, distance: $0.distance) }
    }

    public func image(of id: Int) throws -> EntryImage? {
        guard let entry = entry(id) else { return nil }
        guard let bytes = FileManager.default.contents(atPath: entry.file) else {
            throw ServeError.collection("the image of entry \(id) (\(entry.file)) can no longer be read")
        }
        return EntryImage(bytes: bytes, contentType: ImageTypes.contentType(ofFileNamed: entry.file))
    }
}
