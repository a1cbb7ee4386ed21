import CHNSW
import Foundation

/// An HNSW graph over an index's embeddings (hnswlib, through the CHNSW shim): searches in
/// about a millisecond at a million entries, at the price of sometimes missing a true neighbour
/// (its recall is measured when it is built, see `IndexBuilder`). Searching is thread-safe.
public final class ApproximateIndex: @unchecked Sendable {
    public struct Parameters: Sendable, Equatable {
        /// Links per node (hnswlib's M); more links: better recall, more memory, slower build.
        public var m: Int = 16
        /// Candidates kept while inserting; more: a better graph, a slower build.
        public var efConstruction: Int = 100
        public var seed: UInt64 = 100
        /// Insertion threads; 1 builds the same graph every time, more are faster.
        public var threads: Int = 1
        public init(m: Int = 16, efConstruction: Int = 100, seed: UInt64 = 100, threads: Int = 1) {
            self.m = m
            self.efConstruction = efConstruction
            self.seed = seed
            self.threads = threads
        }
    }

    private let handle: OpaquePointer
    public let dimension: Int
    public private(set) var efSearch: Int = 64

    private init(handle: OpaquePointer, dimension: Int) {
        self.handle = handle
        self.dimension = dimension
    }

    deinit { chnsw_free(handle) }

    private static func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    private func message(_ buffer: [CChar]) -> String { Self.message(buffer) }

    public var count: Int { Int(chnsw_count(handle)) }

    /// Builds the graph over row-major `vectors` ([count, dimension]); row `i` is entry `i`.
    public static func build(_ vectors: [Float], dimension: Int, parameters: Parameters = Parameters()) throws -> ApproximateIndex {
        guard dimension > 0, vectors.count % dimension == 0 else {
            throw IndexError.invalidArgument("vectors are not rows of \(dimension) floats")
        }
        guard parameters.m >= 2, parameters.efConstruction >= 1, parameters.threads >= 1 else {
            throw IndexError.invalidArgument("HNSW needs M >= 2, efConstruction >= 1 and threads >= 1")
        }
        let rows = vectors.count / dimension
        var error = [CChar](repeating: 0, count: 256)
        guard let handle = chnsw_create(dimension, rows, parameters.m, parameters.efConstruction, parameters.seed, &error, error.count) else {
            throw IndexError.invalidArgument("cannot create the HNSW graph: \(message(error))")
        }
        let index = ApproximateIndex(handle: handle, dimension: dimension)
        let status = vectors.withUnsafeBufferPointer { v in
            chnsw_add(handle, v.baseAddress, rows, 0, Int32(parameters.threads), &error, error.count)
        }
        guard status == 0 else { throw IndexError.invalidArgument("cannot build the HNSW graph: \(message(error))") }
        return index
    }

    /// How many candidates a search keeps (at least k are); higher: better recall, slower.
    public func setEfSearch(_ ef: Int) {
        efSearch = max(1, ef)
        chnsw_set_ef(handle, efSearch)
    }

    /// The (about) `k` nearest entries to one query, nearest first, with Euclidean distances.
    public func nearest(to query: UnsafeBufferPointer<Float>, k: Int) throws -> [Neighbour] {
        guard query.count == dimension else {
            throw IndexError.invalidArgument("a query has \(query.count) values, the index \(dimension)")
        }
        guard k > 0 else { throw IndexError.invalidArgument("k must be positive, got \(k)") }
        let wanted = min(k, max(count, 1))
        var labels = [UInt64](repeating: 0, count: wanted)
        var distances = [Float](repeating: 0, count: wanted)
        var error = [CChar](repeating: 0, count: 256)
        let found = chnsw_search(handle, query.baseAddress, wanted, &labels, &distances, &error, error.count)
        guard found >= 0 else { throw IndexError.invalidArgument("HNSW search failed: \(message(error))") }
        let total = UInt64(count)
        return (0..<found).compactMap { i in
            labels[i] < total ? Neighbour(entry: Int(labels[i]), distance: max(distances[i], 0).squareRoot()) : nil
        }
    }

    public func nearest(to query: [Float], k: Int) throws -> [Neighbour] {
        try query.withUnsafeBufferPointer { try nearest(to: $0, k: k) }
    }

    // MARK: Files

    /// The graph's file beside an index file: `INDEX.hnsw`.
    public static func sidecarURL(for index: URL) -> URL {
        index.deletingLastPathComponent().appendingPathComponent(index.lastPathComponent + ".hnsw")
    }

    /// Saves the graph to `url` atomically (hnswlib writes a temporary file, renamed over `url`),
    /// returning its size and CRC-32 for the index's metadata.
    public func save(to url: URL) throws -> (bytes: Int, crc32: UInt32) {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        defer { try? FileManager.default.removeItem(at: temporary) }
        var error = [CChar](repeating: 0, count: 256)
        guard chnsw_save(handle, temporary.path, &error, error.count) == 0 else {
            throw IndexError.writeFailed(file: url.path, reason: message(error))
        }
        let data: Data
        do { data = try Data(contentsOf: temporary, options: .alwaysMapped) } catch {
            throw IndexError.writeFailed(file: url.path, reason: "the graph was not written (\(error.localizedDescription))")
        }
        let sum = data.withUnsafeBytes { CRC32.of($0) }
        let handleForSync = FileHandle(forUpdatingAtPath: temporary.path)
        try? handleForSync?.synchronize()
        try? handleForSync?.close()
        guard rename(temporary.path, url.path) == 0 else {
            throw IndexError.writeFailed(file: url.path, reason: "cannot rename the temporary file over it")
        }
        return (data.count, sum)
    }

    /// Loads the graph saved for an index, after checking that the file is the one the index
    /// recorded (size and CRC-32): hnswlib's loader trusts its input.
    public static func load(for indexURL: URL, info: IndexMetadata.ApproximateInfo, dimension: Int, count: Int) throws -> ApproximateIndex {
        let url = indexURL.deletingLastPathComponent().appendingPathComponent(info.file)
        let file = url.path
        guard info.file == (info.file as NSString).lastPathComponent, !info.file.isEmpty else {
            throw IndexError.approximate(file: file, reason: "the index names it with a path, not a file beside it")
        }
        guard FileManager.default.fileExists(atPath: file) else {
            throw IndexError.approximate(file: file, reason: "is missing (rebuild with `glyphsim index build ... --approximate`)")
        }
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw IndexError.approximate(file: file, reason: "cannot be read (\(error.localizedDescription))")
        }
        guard data.count == info.bytes else {
            throw IndexError.approximate(file: file, reason: "has \(data.count) bytes, the index recorded \(info.bytes) (truncated or stale)")
        }
        let sum = data.withUnsafeBytes { CRC32.of($0) }
        guard sum == info.crc32 else {
            throw IndexError.approximate(file: file, reason: String(format: "checksum %08x, the index recorded %08x (corrupt or stale)", sum, info.crc32))
        }
        var error = [CChar](repeating: 0, count: 256)
        guard let handle = chnsw_load(file, dimension, &error, error.count) else {
            throw IndexError.approximate(file: file, reason: "hnswlib cannot load it: \(message(error))")
        }
        let index = ApproximateIndex(handle: handle, dimension: dimension)
        guard index.count == count else {
            throw IndexError.approximate(file: file, reason: "holds \(index.count) vectors, the index \(count)")
        }
        index.setEfSearch(info.efSearch)
        return index
    }
}
