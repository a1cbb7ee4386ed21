import Foundation
import GlyphSiamese

/// Build time, size on disk, memory and one-query-at-a-time latency of exact and approximate
/// search over given embeddings. Measures; never asserts (speed is not a test).
public enum IndexBenchmark {
    public struct Latency: Sendable, Codable {
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var meanMilliseconds: Double

        enum CodingKeys: String, CodingKey {
            case p50Milliseconds = "p50_milliseconds"
            case p99Milliseconds = "p99_milliseconds"
            case meanMilliseconds = "mean_milliseconds"
        }
    }

    public struct Report: Sendable, Codable {
        public var entries: Int
        public var dimension: Int
        public var queries: Int
        public var exactBuildSeconds: Double
        public var exactBytes: Int
        public var exactResidentMiB: Double
        public var exact: Latency
        public var approximateBuildSeconds: Double?
        public var approximateBytes: Int?
        public var approximateResidentMiB: Double?
        public var approximate: Latency?
        public var efSearch: Int?
        public var recallAt10: Double?
        public var m: Int?
        public var efConstruction: Int?

        /// snake_case, as every JSON document glyphsim writes (bench/faiss_reference.py writes the same keys).
        enum CodingKeys: String, CodingKey {
            case entries, dimension, queries, exact, approximate, m
            case exactBuildSeconds = "exact_build_seconds"
            case exactBytes = "exact_bytes"
            case exactResidentMiB = "exact_resident_mib"
            case approximateBuildSeconds = "approximate_build_seconds"
            case approximateBytes = "approximate_bytes"
            case approximateResidentMiB = "approximate_resident_mib"
            case efSearch = "ef_search"
            case recallAt10 = "recall_at_10"
            case efConstruction = "ef_construction"
        }
    }

    /// `entryValues` are indexed, `queryValues` (rows not in the index) are the queries, one at
    /// a time. Files go to `folder`.
    public static func run(entryValues: [Float], queryValues: [Float], dimension: Int, folder: URL,
                           approximate: ApproximateIndex.Parameters?, targetRecall: Double = 0.95,
                           log: (String) -> Void = { _ in }) throws -> Report {
        let entries = entryValues.count / dimension, queries = queryValues.count / dimension
        guard entries > 0, queries > 0 else { throw IndexError.invalidArgument("need entries and queries") }
        let indexURL = folder.appendingPathComponent("bench-\(entries).index")
        let metadata = IndexMetadata(modelFingerprint: "benchmark", modelSummary: "benchmark embeddings",
                                     preprocessing: .init(imageSide: 0, polarity: "none", normalization: "unknown"))

        // Exact: the index is the embeddings (and names); building it is writing it.
        var started = Date()
        var index = try EmbeddingIndex(metadata: metadata, dimension: dimension,
                                       entries: (0..<entries).map { IndexEntry(path: "entry-\($0)") },
                                       embeddings: entryValues)
        try IndexStore.save(&index, to: indexURL)
        let exactBuild = Date().timeIntervalSince(started)
        let exactBytes = try fileSize(indexURL)
        index = try IndexFile.read(from: indexURL)  // what a user's search loads
        let exactResident = residentMiB()
        log("exact: \(entries) entries written in \(String(format: "%.2f", exactBuild)) s, \(exactBytes) bytes")

        var truth = [[Int]]()
        var times = [Double]()
        for q in 0..<queries {
            let query = Array(queryValues[(q * dimension)..<((q + 1) * dimension)])
            let t0 = DispatchTime.now().uptimeNanoseconds
            let found = try index.nearest(to: query, k: 10)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            truth.append(found[0].map(\.entry))
        }
        var report = Report(entries: entries, dimension: dimension, queries: queries, exactBuildSeconds: exactBuild,
                            exactBytes: exactBytes, exactResidentMiB: exactResident, exact: latency(times))
        log(String(format: "exact: p50 %.3f ms, p99 %.3f ms", report.exact.p50Milliseconds, report.exact.p99Milliseconds))

        guard let parameters = approximate else { return report }
        started = Date()
        let graph = try ApproximateIndex.build(index.embeddings, dimension: dimension, parameters: parameters)
        let approximateBuild = Date().timeIntervalSince(started)
        log("approximate: graph built in \(String(format: "%.1f", approximateBuild)) s")
        let sidecar = ApproximateIndex.sidecarURL(for: indexURL)
        let saved = try graph.save(to: sidecar)
        // efSearch: the smallest candidate whose recall@10 on the held-out queries reaches the target.
        var chosen = RecallTuning.candidates.last!
        var recall = 0.0
        for ef in RecallTuning.candidates {
            graph.setEfSearch(ef)
            recall = try recallAt10(graph, queries: queryValues, dimension: dimension, truth: truth)
            chosen = ef
            if recall >= targetRecall { break }
        }
        graph.setEfSearch(chosen)
        times = []
        for q in 0..<queries {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try queryValues.withUnsafeBufferPointer { p in
                try graph.nearest(to: UnsafeBufferPointer(rebasing: p[(q * dimension)..<((q + 1) * dimension)]), k: 10)
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        report.approximateBuildSeconds = approximateBuild
        report.approximateBytes = saved.bytes
        report.approximateResidentMiB = residentMiB()
        report.approximate = latency(times)
        report.efSearch = chosen
        report.recallAt10 = recall
        report.m = parameters.m
        report.efConstruction = parameters.efConstruction
        log(String(format: "approximate: efSearch %d, recall@10 %.4f, p50 %.3f ms, p99 %.3f ms", chosen, recall,
                   report.approximate!.p50Milliseconds, report.approximate!.p99Milliseconds))
        try? FileManager.default.removeItem(at: sidecar)
        try? FileManager.default.removeItem(at: indexURL)
        return report
    }

    static func recallAt10(_ graph: ApproximateIndex, queries: [Float], dimension: Int, truth: [[Int]]) throws -> Double {
        var hits = 0, total = 0
        for (q, exact) in truth.enumerated() {
            let found = try queries.withUnsafeBufferPointer { p in
                try graph.nearest(to: UnsafeBufferPointer(rebasing: p[(q * dimension)..<((q + 1) * dimension)]), k: 10)
            }
            let set = Set(exact)
            hits += found.filter { set.contains($0.entry) }.count
            total += exact.count
        }
        return total == 0 ? 1 : Double(hits) / Double(total)
    }

    static func latency(_ milliseconds: [Double]) -> Latency {
        let sorted = milliseconds.sorted()
        func quantile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))] }
        return Latency(p50Milliseconds: quantile(0.5), p99Milliseconds: quantile(0.99),
                       meanMilliseconds: sorted.reduce(0, +) / Double(max(sorted.count, 1)))
    }

    static func fileSize(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The process's resident memory now (VmRSS), in MiB; 0 where /proc is not there.
    public static func residentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kib = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kib / 1024
        }
        return 0
    }
}
