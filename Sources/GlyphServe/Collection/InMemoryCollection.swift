import Foundation
import GlyphData
import GlyphSiamese

/// A collection embedded at start-up and held in memory, searched exactly.
///
/// Thumbnails come from where the glyphs came from: Omniglot's pixels are kept (one byte per
/// pixel at 105x105) and encoded as PNG on request; a user's folder keeps each file's path,
/// chosen at start-up, and serves the file's bytes. A request only ever names an id.
public final class InMemoryCollection: GlyphCollection {
    /// Where an entry's thumbnail comes from.
    public enum Thumbnails: Sendable {
        /// Ink images (0 = paper, 255 = ink), `side * side` bytes per entry, in entry order.
        case pixels(side: Int, ink: [UInt8])
        /// One image file per entry, in entry order.
        case files([URL])
    }

    public let entries: [CollectionEntry]
    public let dimension: Int
    public let summary: String
    private let matrix: [Float]
    private let thumbnails: Thumbnails

    /// `embeddings` row `i` belongs to `entries[i]`, whose id must be `i`.
    public init(entries: [CollectionEntry], embeddings: Embeddings, thumbnails: Thumbnails, summary: String) throws {
        guard embeddings.count == entries.count else {
            throw ServeError.collection("\(entries.count) entries but \(embeddings.count) embeddings")
        }
        for (i, e) in entries.enumerated() where e.id != i {
            throw ServeError.collection("entry \(i) has id \(e.id); ids must be 0, 1, 2, ... in order")
        }
        switch thumbnails {
        case .pixels(let side, let ink):
            guard side > 0, ink.count == entries.count * side * side else {
                throw ServeError.collection("\(ink.count) thumbnail bytes do not make \(entries.count) images of \(side)x\(side)")
            }
        case .files(let files):
            guard files.count == entries.count else {
                throw ServeError.collection("\(files.count) thumbnail files for \(entries.count) entries")
            }
        }
        guard embeddings.values.allSatisfy(\.isFinite) else {
            throw ServeError.collection("the model gave non-finite embeddings (is the checkpoint corrupt?)")
        }
        self.entries = entries
        self.dimension = embeddings.dimension
        self.matrix = embeddings.values
        self.thumbnails = thumbnails
        self.summary = summary
    }

    public var count: Int { entries.count }

    public func entry(_ id: Int) -> CollectionEntry? {
        entries.indices.contains(id) ? entries[id] : nil
    }

    public func nearest(to embedding: [Float], k: Int) throws -> [Neighbour] {
        guard embedding.count == dimension else {
            throw ServeError.collection("the query embedding has \(embedding.count) values, the collection \(dimension)")
        }
        return ExactSearch.nearest(to: embedding, in: matrix, dimension: dimension, k: k)
            .map { Neighbour(entry: entries[$0.row], distance: $0.distance) }
    }

    public func image(of id: Int) throws -> EntryImage? {
        guard entries.indices.contains(id) else { return nil }
        switch thumbnails {
        case .pixels(let side, let ink):
            let n = side * side
            let gray = ink[(id * n)..<((id + 1) * n)].map { 255 - $0 }
            return EntryImage(bytes: try PNGEncoder.encode(gray, width: side, height: side), contentType: "image/png")
        case .files(let files):
            let url = files[id]
            guard let bytes = FileManager.default.contents(atPath: url.path) else {
                throw ServeError.collection("the image of entry \(id) (\(entries[id].file)) can no longer be read")
            }
            return EntryImage(bytes: bytes, contentType: ImageTypes.contentType(ofFileNamed: url.lastPathComponent))
        }
    }
}

/// Content types of the image files a collection may hold.
enum ImageTypes {
    static func contentType(ofFileNamed name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "jpg", "jpeg": "image/jpeg"
        case "tif", "tiff": "image/tiff"
        default: "image/png"
        }
    }
}
