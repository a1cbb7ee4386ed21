import ArgumentParser
import Foundation
import GlyphData
import GlyphEngine
import GlyphIndex
import GlyphSiamese

/// `glyphsim index build|add|info|sample-embeddings|bench`: embed a collection once, search it often.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Build, extend and inspect an index of image embeddings (searched by `glyphsim search --index`).",
        subcommands: [IndexBuildCommand.self, IndexAddCommand.self, IndexInfoCommand.self,
                      IndexSampleCommand.self, IndexBenchCommand.self])
}

/// Options of commands that build the approximate (HNSW) graph.
struct ApproximateOptions: ParsableArguments {
    @Flag(help: "Also build an approximate (HNSW) index beside it, for large collections; prints its recall@10.")
    var approximate = false
    @Option(help: "HNSW links per node (M).") var hnswM: Int = 16
    @Option(help: "HNSW candidates kept while building (efConstruction).") var efConstruction: Int = 100
    @Option(help: "Entries used as queries when measuring recall@10.") var recallSamples: Int = 500

    func parameters(threads: Int) throws -> ApproximateIndex.Parameters {
        guard hnswM >= 2, hnswM <= 256 else { throw ValidationError("--hnsw-m takes 2...256, not \(hnswM)") }
        guard efConstruction >= 1, efConstruction <= 10_000 else { throw ValidationError("--ef-construction takes 1...10000") }
        guard recallSamples >= 1 else { throw ValidationError("--recall-samples must be positive") }
        return ApproximateIndex.Parameters(m: hnswM, efConstruction: efConstruction, threads: threads)
    }
}

/// Progress of a long embedding run, on standard error (none with --quiet).
func embeddingProgress(_ label: String, quiet: Bool = false) -> (Int, Int) -> Void {
    var bar = ProgressBar()
    return { done, total in
        if total >= 2000 && !quiet { bar.draw(label: label, done: done, total: total, detail: "images") }
    }
}

/// What `index build`, `index add` and `index info` print with --json.
struct IndexSummary: Encodable {
    var file: String
    var images: Int
    var labels: Int
    var groups: Int
    var dimension: Int
    var modelFingerprint: String
    var modelSummary: String
    var added: Int?
    var alreadyThere: Int?
    var approximate: Approximate?

    struct Approximate: Encodable {
        var file: String
        var m: Int
        var efConstruction: Int
        var efSearch: Int
        var recallAt10: Double
    }

    enum CodingKeys: String, CodingKey {
        case file, images, labels, groups, dimension, added, approximate
        case modelFingerprint = "model_fingerprint"
        case modelSummary = "model_summary"
        case alreadyThere = "already_there"
    }

    init(_ index: EmbeddingIndex, file: String, added: Int? = nil, alreadyThere: Int? = nil) {
        self.file = file
        images = index.count
        labels = Set(index.entries.compactMap(\.displayLabel)).count
        groups = Set(index.entries.compactMap(\.group)).count
        dimension = index.dimension
        modelFingerprint = index.metadata.modelFingerprint
        modelSummary = index.metadata.modelSummary
        self.added = added
        self.alreadyThere = alreadyThere
        approximate = index.metadata.approximate.map {
            Approximate(file: $0.file, m: $0.m, efConstruction: $0.efConstruction, efSearch: $0.efSearch, recallAt10: Double($0.recallAt10))
        }
    }
}

extension IndexSummary.Approximate {
    enum CodingKeys: String, CodingKey {
        case file, m
        case efConstruction = "ef_construction"
        case efSearch = "ef_search"
        case recallAt10 = "recall_at_10"
    }
}

func describe(_ index: EmbeddingIndex) -> String {
    let labels = Set(index.entries.compactMap(\.displayLabel)).count
    let groups = Set(index.entries.compactMap(\.group)).count
    return "\(index.count) images, \(labels) labels, \(groups) groups, \(index.dimension)-d embeddings"
}

func printRecall(_ recall: RecallTuning.Result?, index: EmbeddingIndex) {
    guard let recall, let info = index.metadata.approximate else { return }
    print(String(format: "approximate index %@: HNSW M %d, efConstruction %d; efSearch %d gives recall@10 %.4f against exact search (%d of its entries as queries)",
                 info.file, info.m, info.efConstruction, recall.efSearch, recall.recallAt10, recall.sampleQueries))
}

struct IndexBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Embed images (files or folders: <class>/<image> or <group>/<class>/<image>) once into an index file.")

    @OptionGroup var model: ModelOptions
    @Argument(help: "Images or folders of them.") var inputs: [String] = []
    @Option(help: "The index file to write.") var out: String
    @OptionGroup var approximate: ApproximateOptions
    @OptionGroup var compute: ThreadsOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one image or folder to index") }
        let threadCount = try compute.apply()
        let m = try model.load()
        let builder = IndexBuilder(model: m, polarity: try model.parsedPolarity(),
                                   progress: embeddingProgress("embedding", quiet: output.quiet))
        var index = try builder.build(inputs.map { URL(fileURLWithPath: $0) })
        let recall = try IndexStore.save(&index, to: URL(fileURLWithPath: out),
                                         approximate: approximate.approximate ? try approximate.parameters(threads: threadCount) : nil,
                                         recallSamples: approximate.recallSamples, log: output.status)
        if output.json { return try output.printJSON(IndexSummary(index, file: out)) }
        print("indexed \(describe(index)) into \(out) (model \(index.metadata.modelFingerprint), \(index.metadata.modelSummary))")
        printRecall(recall, index: index)
    }
}

struct IndexAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Append images an index does not hold yet (rewrites it atomically; rebuilds its approximate index).")

    @OptionGroup var model: ModelOptions
    @Argument(help: "Images or folders of them.") var inputs: [String] = []
    @Option(help: "The index file to extend.") var to: String
    @OptionGroup var approximate: ApproximateOptions
    @OptionGroup var compute: ThreadsOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one image or folder to add") }
        let threadCount = try compute.apply()
        let m = try model.load()
        let url = URL(fileURLWithPath: to)
        var index = try IndexFile.read(from: url)
        let builder = IndexBuilder(model: m, polarity: try model.parsedPolarity(),
                                   progress: embeddingProgress("embedding", quiet: output.quiet))
        let old = index.metadata.approximate
        let (added, alreadyThere) = try builder.add(inputs.map { URL(fileURLWithPath: $0) }, to: &index, file: to)
        // An index that had an approximate graph keeps one (with its parameters), rebuilt over all entries.
        var parameters: ApproximateIndex.Parameters?
        if approximate.approximate { parameters = try approximate.parameters(threads: threadCount) }
        if let old, parameters == nil {
            parameters = ApproximateIndex.Parameters(m: old.m, efConstruction: old.efConstruction, threads: threadCount)
        }
        let recall = try IndexStore.save(&index, to: url, approximate: parameters, recallSamples: approximate.recallSamples,
                                         log: output.status)
        if output.json { return try output.printJSON(IndexSummary(index, file: to, added: added, alreadyThere: alreadyThere)) }
        print("added \(added) images to \(to)" + (alreadyThere > 0 ? " (\(alreadyThere) already in it, skipped)" : "")
              + "; it now holds \(describe(index))")
        printRecall(recall, index: index)
    }
}

struct IndexInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "What an index holds and which model built it.")

    @Argument(help: "The index file.") var index: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        let i = try IndexFile.read(from: URL(fileURLWithPath: index))
        if output.json { return try output.printJSON(IndexSummary(i, file: index)) }
        print("\(index): \(describe(i))")
        print("model \(i.metadata.modelFingerprint): \(i.metadata.modelSummary); images read at \(i.metadata.preprocessing.imageSide)px, polarity \(i.metadata.preprocessing.polarity)")
        if let a = i.metadata.approximate {
            print(String(format: "approximate: %@ (HNSW M %d, efConstruction %d, efSearch %d, recall@10 %.4f)", a.file, a.m, a.efConstruction, a.efSearch, a.recallAt10))
        } else {
            print("approximate: none (exact search only)")
        }
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "The images nearest to query images: in an index (--index), or in a folder embedded on the fly (--in).")

    @OptionGroup var model: ModelOptions
    @Argument(help: "Query images.") var queries: [String] = []
    @Option(help: "An index built by `glyphsim index build` with this model.") var index: String?
    @Option(name: .customLong("in"), help: "A folder to search without an index (embedded for this search).") var folder: String?
    @Option(help: "How many results per query.") var top: Int = 10
    @Flag(help: "Search the index's approximate (HNSW) graph instead of exactly.") var approximate = false
    @OptionGroup var compute: ThreadsOption
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !queries.isEmpty else { throw ValidationError("give at least one query image") }
        guard (index == nil) != (folder == nil) else { throw ValidationError("give either --index INDEX or --in FOLDER") }
        guard top >= 1, top <= 10_000 else { throw ValidationError("--top takes 1...10000, not \(top)") }
        if approximate && index == nil { throw ValidationError("--approximate needs --index") }
    }

    func run() throws {
        try compute.apply()
        let m = try model.load()
        let polarity = try model.parsedPolarity()
        let searcher: IndexSearcher
        let source: String
        if let index {
            let url = URL(fileURLWithPath: index)
            let loaded = try IndexFile.read(from: url)
            try loaded.check(model: m, file: index)
            var graph: ApproximateIndex?
            if approximate {
                guard let info = loaded.metadata.approximate else {
                    throw ValidationError("index \(index) has no approximate graph (build it with --approximate)")
                }
                graph = try ApproximateIndex.load(for: url, info: info, dimension: loaded.dimension, count: loaded.count)
            }
            searcher = try IndexSearcher(model: m, index: loaded, file: index, approximate: graph)
            source = index
        } else {
            let folder = folder!
            let built = try IndexBuilder(model: m, polarity: polarity, progress: embeddingProgress("embedding", quiet: output.quiet))
                .build([URL(fileURLWithPath: folder)])
            searcher = try IndexSearcher(model: m, index: built, file: folder)
            source = folder
        }
        let results = try searcher.search(files: queries.map { URL(fileURLWithPath: $0) }, k: top, polarity: polarity)
        if output.json {
            print(try searchJSON(results, source: source, threshold: m.threshold, approximate: approximate))
        } else {
            printTable(results, threshold: m.threshold)
        }
    }

    func printTable(_ results: [QueryResults], threshold: Float?) {
        for (q, result) in results.enumerated() {
            if q > 0 { print("") }
            var line = "query \(result.query)"
            if !result.skippedSelf.isEmpty {
                line += " (it is in the index as entry \(result.skippedSelf.map(String.init).joined(separator: ", ")): left out)"
            }
            print(line)
            print("rank  distance  verdict    label                 file")
            for hit in result.hits {
                let verdict = hit.isSame.map { $0 ? "same" : "different" } ?? "-"
                let label = (hit.group.map { "\($0)/" } ?? "") + (hit.label ?? "-")
                print(String(format: "%4d  %8.4f  ", hit.rank, hit.distance) + verdict.padding(toLength: 9, withPad: " ", startingAt: 0)
                      + "  " + label.padding(toLength: max(20, label.count), withPad: " ", startingAt: 0) + "  " + hit.file)
            }
        }
        if let threshold {
            print(String(format: "\nsame = distance <= %.4f (the model's threshold)", threshold))
        } else {
            print("\nno same/different verdict: the model has no threshold (it was never validated)")
        }
    }
}

/// `{"source", "threshold", "approximate", "queries": [{"query", "skipped_self", "results": [...]}]}`.
func searchJSON(_ results: [QueryResults], source: String, threshold: Float?, approximate: Bool) throws -> String {
    func orNull(_ v: Any?) -> Any { v ?? NSNull() }
    let queries: [[String: Any]] = results.map { r in
        [
            "query": r.query,
            "skipped_self": r.skippedSelf,
            "results": r.hits.map { h -> [String: Any] in
                ["rank": h.rank, "entry": h.entry, "file": h.file, "label": orNull(h.label), "group": orNull(h.group),
                 "distance": Double(h.distance), "similarity": Double(h.similarity), "is_same": orNull(h.isSame)]
            },
        ]
    }
    let object: [String: Any] = ["source": source, "threshold": orNull(threshold.map { Double($0) }),
                                 "approximate": approximate, "queries": queries]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

struct IndexSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-embeddings",
        abstract: "Benchmark data: a model's embeddings of Omniglot's images and augmented copies of them, to a .npy file.")

    @OptionGroup var model: ModelOptions
    @OptionGroup var common: CommonOptions
    @Option(help: "How many embeddings.") var count: Int
    @Option(help: "The .npy file to write.") var out: String
    @Option(help: "Seed of the augmentation.") var seed: UInt64 = 1
    @Flag(help: "No progress bar on standard error.") var quiet = false

    func run() throws {
        try common.applyThreads()
        guard count > 0 else { throw ValidationError("--count must be positive") }
        let m = try model.load()
        let both = try Omniglot.loadBoth(from: common.dataFolder)
        let dataset = GlyphDataset.merged([both.background, both.evaluation])
        var bar = ProgressBar()
        let started = Date()
        let quiet = self.quiet
        let e = try BenchmarkEmbeddings.make(model: m, dataset: dataset, count: count, seed: seed) { done, total in
            if !quiet { bar.draw(label: "embedding", done: done, total: total, detail: "images") }
        }
        try BenchmarkEmbeddings.writeNPY(e.values, dimension: e.dimension, to: URL(fileURLWithPath: out))
        print(String(format: "wrote %d embeddings (%d-d; %d Omniglot images, then augmented copies) to %@ in %.1f s",
                     e.count, e.dimension, dataset.imageCount, out, Date().timeIntervalSince(started)))
    }
}

struct IndexBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Index benchmark over a .npy of embeddings: build time, size, memory, one-query latency p50/p99, exact and approximate.")

    @Option(help: "Embeddings (.npy float32 [rows, dimension]); the last --queries rows are the queries.") var npy: String
    @Option(help: "Entries to index (the first rows).") var entries: Int
    @Option(help: "Queries, timed one at a time.") var queries: Int = 1000
    @Option(help: "Folder for the index files.") var folder: String = NSTemporaryDirectory()
    @Option(help: "Target recall@10 when choosing efSearch.") var targetRecall: Double = 0.95
    @OptionGroup var approximate: ApproximateOptions
    @OptionGroup var compute: ThreadsOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let threadCount = try compute.apply()
        guard entries > 0, queries > 0 else { throw ValidationError("--entries and --queries must be positive") }
        let url = URL(fileURLWithPath: npy)
        let total = try BenchmarkEmbeddings.readNPY(url, rows: 0..<0).totalRows
        guard entries + queries <= total else { throw ValidationError("\(npy) has \(total) rows, fewer than --entries + --queries") }
        let base = try BenchmarkEmbeddings.readNPY(url, rows: 0..<entries)
        let probes = try BenchmarkEmbeddings.readNPY(url, rows: (total - queries)..<total)
        let report = try IndexBenchmark.run(
            entryValues: base.values, queryValues: probes.values, dimension: base.dimension, folder: URL(fileURLWithPath: folder),
            approximate: approximate.approximate ? try approximate.parameters(threads: threadCount) : nil,
            targetRecall: targetRecall, log: output.status)
        if output.json {
            try output.printJSON(report)
        } else {
            print(String(format: "glyphsim exact  %d x %d: build %.2f s, %.1f MiB on disk, RSS %.0f MiB, p50 %.3f ms, p99 %.3f ms",
                         report.entries, report.dimension, report.exactBuildSeconds, Double(report.exactBytes) / 1_048_576,
                         report.exactResidentMiB, report.exact.p50Milliseconds, report.exact.p99Milliseconds))
            if let a = report.approximate {
                print(String(format: "glyphsim hnsw   M %d efC %d efSearch %d: build %.1f s, %.1f MiB on disk, RSS %.0f MiB, p50 %.3f ms, p99 %.3f ms, recall@10 %.4f",
                             report.m ?? 0, report.efConstruction ?? 0, report.efSearch ?? 0, report.approximateBuildSeconds ?? 0,
                             Double(report.approximateBytes ?? 0) / 1_048_576, report.approximateResidentMiB ?? 0,
                             a.p50Milliseconds, a.p99Milliseconds, report.recallAt10 ?? 0))
            }
        }
    }
}
