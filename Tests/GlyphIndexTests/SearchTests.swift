import Foundation
import GlyphData
import GlyphIndex
import GlyphSiamese
import Testing

/// Exact search against brute force, approximate recall, the model check, the query-in-index rule.
@Suite struct SearchTests {
    @Test func exactSearchEqualsBruteForce() throws {
        // More entries than one GEMM block, and more queries than one batch.
        let index = try Synthetic.index(count: 40_000, dimension: 16, seed: 11)
        let queries = Synthetic.vectors(count: 70, dimension: 16, seed: 12)
        let found = try index.nearest(to: queries, k: 7)
        #expect(found.count == 70)
        for q in stride(from: 0, to: 70, by: 9) {
            let query = Array(queries[(q * 16)..<((q + 1) * 16)])
            let reference = Synthetic.bruteForce(index, query: query, k: 7)
            #expect(found[q].map(\.entry) == reference.map(\.0))
            for (a, b) in zip(found[q], reference) { #expect(abs(a.distance - b.1) < 1e-5) }
        }
    }

    @Test func exactSearchSkipsAndReturnsTrueDistances() throws {
        let index = try Synthetic.index(count: 500, dimension: 8, seed: 13)
        let own = Array(index.embeddings[(42 * 8)..<(43 * 8)])
        let plain = try index.nearest(to: own, k: 3)[0]
        #expect(plain[0].entry == 42)
        #expect(plain[0].distance == 0)  // recomputed directly, not |q|^2 + |e|^2 - 2 q.e
        let skipped = try index.nearest(to: own, k: 3, skip: [[42]])[0]
        #expect(!skipped.map(\.entry).contains(42))
        #expect(skipped.map(\.entry) == Synthetic.bruteForce(index, query: own, k: 3, skip: [42]).map(\.0))
        #expect(try index.nearest(to: own, k: 1000)[0].count == 500)
        #expect(throws: IndexError.self) { try index.nearest(to: own, k: 0) }
        #expect(throws: IndexError.self) { try index.nearest(to: [1, 2, 3], k: 1) }
    }

    @Test func approximateRecallOnClusteredData() throws {
        let values = Synthetic.clustered(clusters: 60, perCluster: 100, dimension: 32, noise: 0.4, seed: 14)
        let index = try EmbeddingIndex(metadata: Synthetic.metadata, dimension: 32,
                                       entries: (0..<6000).map { IndexEntry(path: "/\($0).png") }, embeddings: values)
        let graph = try ApproximateIndex.build(values, dimension: 32, parameters: .init(m: 16, efConstruction: 100))
        #expect(graph.count == 6000)
        let result = try RecallTuning.tune(graph, index: index, samples: 200, target: 0.95)
        #expect(result.recallAt10 >= 0.95, "recall@10 \(result.recallAt10) at efSearch \(result.efSearch)")
        #expect(result.sampleQueries == 200)
        // Nearest first, with true Euclidean distances.
        let query = Array(values[0..<32])
        let found = try graph.nearest(to: query, k: 5)
        #expect(found.first?.entry == 0)
        #expect(found.first?.distance == 0)
        #expect(zip(found, found.dropFirst()).allSatisfy { $0.distance <= $1.distance })
    }

    @Test func approximateIndexFileIsCheckedBeforeHnswlibReadsIt() throws {
        let folder = try temporaryFolder("hnsw")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("g.index")
        var index = try EmbeddingIndex(metadata: Synthetic.metadata, dimension: 16,
                                       entries: (0..<800).map { IndexEntry(path: "/\($0).png") },
                                       embeddings: Synthetic.clustered(clusters: 8, perCluster: 100, dimension: 16, noise: 0.2, seed: 15))
        let recall = try #require(try IndexStore.save(&index, to: url, approximate: .init(m: 8, efConstruction: 40), recallSamples: 100))
        let info = try #require(try IndexFile.read(from: url).metadata.approximate)
        #expect(info.recallAt10 == recall.recallAt10)
        let graph = try ApproximateIndex.load(for: url, info: info, dimension: 16, count: 800)
        #expect(graph.count == 800)
        #expect(graph.efSearch == info.efSearch)

        let sidecar = ApproximateIndex.sidecarURL(for: url)
        var bytes = try Data(contentsOf: sidecar)
        bytes[bytes.count / 2] ^= 1
        try bytes.write(to: sidecar)
        #expect { try ApproximateIndex.load(for: url, info: info, dimension: 16, count: 800) } throws: { error in
            "\(error)".contains(sidecar.path) && "\(error)".contains("checksum")
        }
        try bytes.prefix(100).write(to: sidecar)
        #expect { try ApproximateIndex.load(for: url, info: info, dimension: 16, count: 800) } throws: { error in
            "\(error)".contains("truncated")
        }
        // Saving without --approximate removes the stale graph.
        try IndexStore.save(&index, to: url)
        #expect(!FileManager.default.fileExists(atPath: sidecar.path))
        #expect(try IndexFile.read(from: url).metadata.approximate == nil)
    }

    @Test func fingerprintNamesTheModel() throws {
        let a = try SiameseModel(config: ModelConfig(preset: .fast, widths: [8, 8, 16, 16]), seed: 1)
        let b = try SiameseModel(config: ModelConfig(preset: .fast, widths: [8, 8, 16, 16]), seed: 2)
        let a2 = try SiameseModel(config: ModelConfig(preset: .fast, widths: [8, 8, 16, 16]), seed: 1)
        #expect(a.fingerprint.count == 16)
        #expect(a.fingerprint == a2.fingerprint)
        #expect(a.fingerprint != b.fingerprint)
        a2.threshold = 0.3  // the threshold is not part of what the model computes
        #expect(a.fingerprint == a2.fingerprint)
        // A checkpoint round trip keeps it.
        let folder = try temporaryFolder("fp")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("m.safetensors")
        try a.save(to: url)
        #expect(try SiameseModel.load(from: url).fingerprint == a.fingerprint)
    }

    @Test func anIndexOfAnotherModelIsRefused() throws {
        let folder = try temporaryFolder("foreign")
        defer { try? FileManager.default.removeItem(at: folder) }
        try GlyphImages.write(in: folder.appendingPathComponent("images"), groups: 1, classes: 2, images: 3)
        let (_, mine) = try makeRun(in: folder, seed: 1, name: "mine")
        let (_, other) = try makeRun(in: folder, seed: 2, name: "other")
        let index = try IndexBuilder(model: mine).build([folder.appendingPathComponent("images")])
        #expect(index.count == 6)
        #expect { try IndexSearcher(model: other, index: index, file: "x.index") } throws: { error in
            guard let e = error as? IndexError else { return false }
            return e == .foreignModel(file: "x.index", indexFingerprint: mine.fingerprint, modelFingerprint: other.fingerprint)
                && "\(e)" == "index x.index was built by model \(mine.fingerprint), this is \(other.fingerprint) (rebuild the index with this model)"
        }
        var copy = index
        #expect(throws: IndexError.self) { try IndexBuilder(model: other).add([folder], to: &copy, file: "x.index") }
    }

    @Test func aQueryInTheIndexIsNotItsOwnFirstHit() throws {
        let folder = try temporaryFolder("self")
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = folder.appendingPathComponent("images")
        let files = try GlyphImages.write(in: images, groups: 2, classes: 3, images: 4)
        let (_, model) = try makeRun(in: folder, seed: 3)
        let index = try IndexBuilder(model: model).build([images])
        #expect(index.entries.first?.group == "group0")
        #expect(index.entries.first?.label == "class0")
        let searcher = try IndexSearcher(model: model, index: index, file: "i.index")
        let query = files[5]
        let result = try #require(try searcher.search(files: [query], k: 3).first)
        let own = try #require(index.entries.firstIndex { $0.path == query.standardizedFileURL.path })
        #expect(result.skippedSelf == [own])
        #expect(!result.hits.map(\.entry).contains(own))
        #expect(result.hits.map(\.rank) == [1, 2, 3])
        // A query from outside the index skips nothing; a copy of an indexed image finds it at
        // distance 0. Scan reading (the default) crops and frames each image, so the other
        // drawings of its class, which differ only in place, may read identically and tie with
        // it (ties go to the lower entry): look among the class's 4 entries.
        let copy = folder.appendingPathComponent("copy.png")
        try FileManager.default.copyItem(at: query, to: copy)
        let outside = try #require(try searcher.search(files: [copy], k: 4).first)
        #expect(outside.skippedSelf.isEmpty)
        let itself = try #require(outside.hits.first { $0.entry == own })
        #expect(itself.distance < 1e-5)
        #expect((outside.hits.first?.distance ?? 1) < 1e-5)
        #expect(outside.hits.first?.isSame == true)
    }

    @Test func addAppendsOnlyNewFiles() throws {
        let folder = try temporaryFolder("add")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a"), second = folder.appendingPathComponent("b")
        try GlyphImages.write(in: first, groups: 1, classes: 2, images: 2)
        try GlyphImages.write(in: second, groups: 1, classes: 1, images: 3, firstShape: 3)
        let (_, model) = try makeRun(in: folder, seed: 4)
        let builder = IndexBuilder(model: model)
        var index = try builder.build([first])
        let (added, already) = try builder.add([first, second], to: &index, file: "i.index")
        #expect(added == 3)
        #expect(already == 4)
        #expect(index.count == 7)
        let rebuilt = try builder.build([first, second])
        #expect(rebuilt.entries == index.entries)
        for (x, y) in zip(rebuilt.embeddings, index.embeddings) { #expect(abs(x - y) < 1e-5) }
    }
}
