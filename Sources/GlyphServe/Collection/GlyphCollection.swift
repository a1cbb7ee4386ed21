import Foundation

/// One glyph the server can return as a neighbour: where it came from and what character it shows.
public struct CollectionEntry: Sendable, Equatable {
    /// Position in the collection, 0-based; the only handle a request may use to reach the entry.
    public let id: Int
    /// The image's file, relative to the collection's root (for Omniglot, the official layout's path).
    public let file: String
    /// The character (class) the glyph belongs to, e.g. `Latin/character03` or a user's class folder.
    public let label: String

    public init(id: Int, file: String, label: String) {
        self.id = id
        self.file = file
        self.label = label
    }
}

/// An entry found near a query, with its Euclidean distance in embedding space.
public struct Neighbour: Sendable, Equatable {
    public let entry: CollectionEntry
    public let distance: Float
}

/// An entry's image as the server sends it.
public struct EntryImage: Sendable {
    public let bytes: Data
    public let contentType: String
}

/// What the server searches: embedded glyphs with ids, files and labels.
///
/// The server only talks to this protocol, so an in-memory collection embedded at start-up and
/// an index file read from disk are interchangeable behind `glyphsim serve`.
public protocol GlyphCollection: Sendable {
    /// Number of entries; ids run from 0 to `count - 1`.
    var count: Int { get }
    /// Length of the embeddings the collection holds (must match the model's).
    var dimension: Int { get }
    /// One line saying what the collection is, for `/v1/model` and the start-up message.
    var summary: String { get }
    /// The entry with this id, or nil when there is none.
    func entry(_ id: Int) -> CollectionEntry?
    /// The `k` entries nearest to `embedding`, nearest first (ties broken by id).
    func nearest(to embedding: [Float], k: Int) throws -> [Neighbour]
    /// The entry's image (PNG or the original file's bytes), or nil when there is no such id.
    func image(of id: Int) throws -> EntryImage?
}
