import Foundation
import GlyphData
import GlyphSiamese

/// Embeds folders of images once, into a new index or onto an existing one.
///
/// ```swift
/// let builder = IndexBuilder(model: model)
/// var index = try builder.build([URL(fileURLWithPath: "my-glyphs")])
/// try IndexStore.save(&index, to: URL(fileURLWithPath: "glyphs.index"))
/// ```
public struct IndexBuilder {
    public let model: SiameseModel
    /// Overrides the polarity of the model's preprocessing when given.
    public var polarity: UserImages.Polarity?
    /// Images embedded per call (and per progress report).
    public var chunk = 1024
    /// Called after every chunk with (embedded, total).
    public var progress: ((Int, Int) -> Void)?

    public init(model: SiameseModel, polarity: UserImages.Polarity? = nil, progress: ((Int, Int) -> Void)? = nil) {
        self.model = model
        self.polarity = polarity
        self.progress = progress
    }

    /// The image files under `inputs` (files as given, folders searched recursively) with the
    /// label and group their place in the folder gives them.
    public func entries(of inputs: [URL]) throws -> [(file: URL, entry: IndexEntry)] {
        var found = [(file: URL, entry: IndexEntry)]()
        for input in inputs {
            let files = try ImagePaths.list([input])
            var isDirectory: ObjCBool = false
            let root: URL? = FileManager.default.fileExists(atPath: input.path, isDirectory: &isDirectory) && isDirectory.boolValue ? input : nil
            found += files.map { ($0, IndexEntry.from(file: $0, root: root)) }
        }
        return found
    }

    public var metadata: IndexMetadata {
        IndexMetadata(modelFingerprint: model.fingerprint, modelSummary: model.config.summary,
                      preprocessing: .init(imageSide: model.config.imageSize, polarity: model.preprocessing.with(polarity: polarity).polarity.rawValue,
                                           normalization: model.config.normalization.rawValue))
    }

    /// A new index of every image under `inputs`.
    public func build(_ inputs: [URL]) throws -> EmbeddingIndex {
        var index = try EmbeddingIndex(metadata: metadata, dimension: model.embeddingSize)
        _ = try embed(try entries(of: inputs), into: &index)
        return index
    }

    /// Appends the images under `inputs` that `index` does not hold yet (by path); returns how
    /// many were added and how many were already there. Refuses an index of another model.
    public func add(_ inputs: [URL], to index: inout EmbeddingIndex, file: String) throws -> (added: Int, alreadyThere: Int) {
        try index.check(model: model, file: file)
        let known = Set(index.entries.map(\.path))
        let all = try entries(of: inputs)
        var seen = Set<String>()
        let new = all.filter { !known.contains($0.entry.path) && seen.insert($0.entry.path).inserted }
        try embed(new, into: &index)
        return (new.count, all.count - new.count)
    }

    private func embed(_ items: [(file: URL, entry: IndexEntry)], into index: inout EmbeddingIndex) throws {
        var start = 0
        while start < items.count {
            let end = min(items.count, start + chunk)
            let part = items[start..<end]
            let embeddings = try model.embed(files: part.map(\.file), polarity: polarity)
            try index.append(entries: part.map(\.entry), embeddings: embeddings.values)
            start = end
            progress?(start, items.count)
        }
    }
}

/// Saving an index with, optionally, its approximate graph beside it.
public enum IndexStore {
    /// Writes `index` to `url` atomically. With `approximate` parameters, first builds the HNSW
    /// graph over all entries, measures its recall@10 against exact search (choosing efSearch),
    /// saves it to `url.hnsw` and records its size and checksum in the index, which is written
    /// last. Without, any old `url.hnsw` is removed. Returns the recall measured.
    @discardableResult
    public static func save(_ index: inout EmbeddingIndex, to url: URL,
                            approximate: ApproximateIndex.Parameters? = nil,
                            recallSamples: Int = 500, targetRecall: Double = 0.95,
                            log: ((String) -> Void)? = nil) throws -> RecallTuning.Result? {
        let sidecar = ApproximateIndex.sidecarURL(for: url)
        guard let parameters = approximate else {
            index.setApproximate(nil)
            try IndexFile.write(index, to: url)
            if FileManager.default.fileExists(atPath: sidecar.path) { try? FileManager.default.removeItem(at: sidecar) }
            return nil
        }
        log?("building the approximate (HNSW) index over \(index.count) entries on \(parameters.threads) threads")
        let graph = try ApproximateIndex.build(index.embeddings, dimension: index.dimension, parameters: parameters)
        log?("measuring its recall@10 against exact search")
        let recall = try RecallTuning.tune(graph, index: index, samples: recallSamples, target: targetRecall)
        let saved = try graph.save(to: sidecar)
        index.setApproximate(.init(file: sidecar.lastPathComponent, bytes: saved.bytes, crc32: saved.crc32,
                                   m: parameters.m, efConstruction: parameters.efConstruction,
                                   efSearch: recall.efSearch, recallAt10: recall.recallAt10,
                                   sampleQueries: recall.sampleQueries))
        try IndexFile.write(index, to: url)
        return recall
    }
}
