import Foundation
import GlyphData
import GlyphSiamese

/// One ranked answer to a query.
public struct SearchHit: Sendable, Equatable, Codable {
    public var rank: Int
    public var entry: Int
    public var file: String
    public var label: String?
    public var group: String?
    public var distance: Float
    /// exp(-distance), as `compare` reports it.
    public var similarity: Float
    /// Within the model's threshold; nil when the model has none.
    public var isSame: Bool?
}

/// The answers to one query image.
public struct QueryResults: Sendable, Equatable {
    public var query: String
    /// Entries that are the query file itself (same path): left out of the answers.
    public var skippedSelf: [Int]
    public var hits: [SearchHit]
}

/// A model and an index of its embeddings: answers queries without re-embedding the collection.
///
/// ```swift
/// let searcher = try IndexSearcher(model: model, index: try IndexFile.read(from: url), file: url.path)
/// let answers = try searcher.search(files: [URL(fileURLWithPath: "query.png")], k: 5)
/// ```
public final class IndexSearcher: @unchecked Sendable {
    public let model: SiameseModel
    public let index: EmbeddingIndex
    public let file: String
    /// When set, queries go through the HNSW graph instead of exact search.
    public let approximate: ApproximateIndex?
    /// Entries by file path, to find a query that is itself in the index (built once, read-only
    /// afterwards, so that searches may run on several threads).
    private let entriesByPath: [String: [Int]]

    /// Refuses an index built by another model.
    public init(model: SiameseModel, index: EmbeddingIndex, file: String, approximate: ApproximateIndex? = nil) throws {
        try index.check(model: model, file: file)
        self.model = model
        self.index = index
        self.file = file
        self.approximate = approximate
        var map = [String: [Int]]()
        for (i, e) in index.entries.enumerated() { map[e.path, default: []].append(i) }
        self.entriesByPath = map
    }

    /// The `k` nearest entries to each query embedding, nearest first, leaving out `skip[q]`.
    public func search(embeddings queries: [Float], k: Int, skip: [Set<Int>] = []) throws -> [[SearchHit]] {
        guard k > 0 else { throw IndexError.invalidArgument("k must be positive, got \(k)") }
        let d = index.dimension
        let neighbours: [[Neighbour]]
        if let approximate {
            let queryCount = queries.count / d
            neighbours = try (0..<queryCount).map { q in
                let excluded = skip.isEmpty ? [] : skip[q]
                let found = try queries.withUnsafeBufferPointer { p in
                    try approximate.nearest(to: UnsafeBufferPointer(rebasing: p[(q * d)..<((q + 1) * d)]), k: k + excluded.count)
                }
                return Array(found.filter { !excluded.contains($0.entry) }.prefix(k))
            }
        } else {
            neighbours = try index.nearest(to: queries, k: k, skip: skip)
        }
        return neighbours.map { list in
            list.enumerated().map { rank, n in
                let e = index.entries[n.entry]
                return SearchHit(rank: rank + 1, entry: n.entry, file: e.path, label: e.label, group: e.group,
                                 distance: n.distance, similarity: Float(exp(-Double(n.distance))),
                                 isSame: model.threshold.map { n.distance <= $0 })
            }
        }
    }

    /// Images as the model reads them (`side * side` floats, ink = 1).
    public func search(images: [[Float]], k: Int) throws -> [[SearchHit]] {
        let e = try model.embed(images: images)
        return try search(embeddings: e.values, k: k)
    }

    /// Query image files. A query that is itself in the index (same path) does not get itself
    /// as its first answer: those entries are skipped and listed in `skippedSelf`.
    public func search(files: [URL], k: Int, polarity: UserImages.Polarity? = nil) throws -> [QueryResults] {
        guard !files.isEmpty else { throw IndexError.invalidArgument("give at least one query image") }
        let embeddings = try model.embed(files: files, polarity: polarity)
        let paths = files.map { $0.standardizedFileURL.path }
        let skip = paths.map { Set(entriesByPath[$0] ?? []) }
        let hits = try search(embeddings: embeddings.values, k: k, skip: skip)
        return paths.indices.map { QueryResults(query: paths[$0], skippedSelf: skip[$0].sorted(), hits: hits[$0]) }
    }
}
