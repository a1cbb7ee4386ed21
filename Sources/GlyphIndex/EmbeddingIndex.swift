import GlyphSiamese

/// Embeddings of a collection of images, with each image's file, label and group, and the
/// fingerprint of the model that embedded them. Searched exactly (`nearest`) or through an
/// `ApproximateIndex`; saved and read by `IndexFile`.
public struct EmbeddingIndex: Sendable {
    public private(set) var metadata: IndexMetadata
    public private(set) var entries: [IndexEntry]
    /// Row-major float32 [count, dimension].
    public private(set) var embeddings: [Float]
    public let dimension: Int
    /// |e|^2 of every row, for distances through one matrix product.
    public private(set) var squaredNorms: [Float]

    public var count: Int { entries.count }

    public init(metadata: IndexMetadata, dimension: Int, entries: [IndexEntry] = [], embeddings: [Float] = []) throws {
        guard dimension > 0 else { throw IndexError.invalidArgument("an index needs a positive embedding dimension, got \(dimension)") }
        guard embeddings.count == entries.count * dimension else {
            throw IndexError.invalidArgument("\(entries.count) entries need \(entries.count * dimension) values, got \(embeddings.count)")
        }
        self.metadata = metadata
        self.dimension = dimension
        self.entries = entries
        self.embeddings = embeddings
        self.squaredNorms = Self.squaredNorms(embeddings, dimension: dimension)
    }

    /// Appends entries with their embeddings (row-major, `entries.count * dimension` values).
    public mutating func append(entries new: [IndexEntry], embeddings values: [Float]) throws {
        guard values.count == new.count * dimension else {
            throw IndexError.invalidArgument("\(new.count) new entries need \(new.count * dimension) values, got \(values.count)")
        }
        entries += new
        embeddings += values
        squaredNorms += Self.squaredNorms(values, dimension: dimension)
        metadata.approximate = nil  // stale: the caller rebuilds it
    }

    mutating func setApproximate(_ info: IndexMetadata.ApproximateInfo?) { metadata.approximate = info }

    /// Refuses a model other than the one that built the index.
    public func check(model: SiameseModel, file: String) throws {
        let fingerprint = model.fingerprint
        guard fingerprint == metadata.modelFingerprint else {
            throw IndexError.foreignModel(file: file, indexFingerprint: metadata.modelFingerprint, modelFingerprint: fingerprint)
        }
        guard model.embeddingSize == dimension else {
            throw IndexError.unreadable(file: file, reason: "holds \(dimension)-d embeddings but the model makes \(model.embeddingSize)-d ones")
        }
    }

    static func squaredNorms(_ values: [Float], dimension: Int) -> [Float] {
        let rows = values.count / dimension
        var norms = [Float](repeating: 0, count: rows)
        values.withUnsafeBufferPointer { v in
            for r in 0..<rows {
                var s: Float = 0
                for k in 0..<dimension { let x = v[r * dimension + k]; s += x * x }
                norms[r] = s
            }
        }
        return norms
    }
}

/// One search result: an entry of the index and its Euclidean distance to the query.
public struct Neighbour: Sendable, Equatable {
    public var entry: Int
    public var distance: Float
    public init(entry: Int, distance: Float) {
        self.entry = entry
        self.distance = distance
    }
}
