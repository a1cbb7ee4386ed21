import Foundation
import GlyphData
import GlyphSiamese
import Testing
@testable import GlyphServe

/// The collection behind the server: exact search, loading from disk, and the shared
/// embedding path under concurrent requests.
@Suite struct CollectionTests {
    @Test func exactSearchRanksByDistanceThenRow() {
        // Rows on a line: distance from 2.0 is |x - 2|; rows 1 and 3 tie.
        let matrix: [Float] = [0, 1, 2, 3, 4, 10]
        let found = ExactSearch.nearest(to: [2], in: matrix, dimension: 1, k: 4)
        #expect(found.map(\.row) == [2, 1, 3, 0])
        #expect(found.map(\.distance) == [0, 1, 1, 2])
        #expect(ExactSearch.nearest(to: [2], in: matrix, dimension: 1, k: 100).count == 6)
        #expect(ExactSearch.nearest(to: [2], in: matrix, dimension: 1, k: 0).isEmpty)
    }

    @Test func collectionRefusesMismatchedParts() throws {
        let e = Embeddings(dimension: 2, values: [0, 0, 1, 1])
        let one = [CollectionEntry(id: 0, file: "a.png", label: "a")]
        #expect(throws: ServeError.self) {
            try InMemoryCollection(entries: one, embeddings: e, thumbnails: .files([URL(fileURLWithPath: "/a.png")]), summary: "")
        }
        let two = [CollectionEntry(id: 0, file: "a", label: "a"), CollectionEntry(id: 5, file: "b", label: "b")]
        #expect(throws: ServeError.self) {
            try InMemoryCollection(entries: two, embeddings: e, thumbnails: .pixels(side: 1, ink: [0, 0]), summary: "")
        }
        let nan = Embeddings(dimension: 2, values: [0, .nan, 1, 1])
        let good = [CollectionEntry(id: 0, file: "a", label: "a"), CollectionEntry(id: 1, file: "b", label: "b")]
        #expect(throws: ServeError.self) {
            try InMemoryCollection(entries: good, embeddings: nan, thumbnails: .pixels(side: 1, ink: [0, 0]), summary: "")
        }
    }

    /// A user's folder of `<class>/<image>.png`: entries named by relative path and class, thumbnails
    /// the files' own bytes, and the folder recognised as a user folder (not Omniglot).
    @Test func userFolderCollection() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("glyphserve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var written = [String: Data]()
        for (c, name) in ["alpha", "beta"].enumerated() {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for k in 0..<2 {
                let png = try ServeFixture.png(c * 4 + k)
                try png.write(to: folder.appendingPathComponent("g\(k).png"))
                written["\(name)/g\(k).png"] = png
            }
        }
        let source = try CollectionSource.detect(root.path)
        guard case .userFolder(let folder) = source else { Issue.record("\(source) is not a user folder"); return }
        #expect(folder.standardizedFileURL.path == root.standardizedFileURL.path)
        let model = try SiameseModel(config: ModelConfig(preset: .fast, imageSize: 28, width: 8, embeddingSize: 16), seed: 1)
        let collection = try InMemoryCollection.embedding(source, with: model)
        #expect(collection.count == 4)
        #expect(Set(collection.entries.map(\.file)) == Set(written.keys))
        for entry in collection.entries {
            #expect(entry.label == String(entry.file.split(separator: "/")[0]))
            let image = try #require(try collection.image(of: entry.id))
            #expect(image.bytes == written[entry.file])
            #expect(image.contentType == "image/png")
        }
        #expect(try collection.image(of: 4) == nil)
        #expect(try collection.image(of: -1) == nil)
    }

    @Test func detectRecognisesOmniglotForms() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("glyphserve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        #expect(throws: ServeError.self) { try CollectionSource.detect(root.appendingPathComponent("missing").path) }
        let npz = root.appendingPathComponent("images_evaluation.npz")
        try Data().write(to: npz)
        #expect(try CollectionSource.detect(npz.path) == .omniglotNPZ(npz, set: .evaluation))
        guard case let .omniglot(folder, sets) = try CollectionSource.detect(root.path, sets: [.background, .evaluation]) else {
            Issue.record("a folder holding images_evaluation.npz is an Omniglot data folder"); return
        }
        #expect(folder.standardizedFileURL.path == root.standardizedFileURL.path && sets == [.background, .evaluation])
        let other = root.appendingPathComponent("weights.npz")
        try Data().write(to: other)
        #expect(throws: ServeError.self) { try CollectionSource.detect(other.path) }
        let official = root.appendingPathComponent("official/Latin/character01")
        try FileManager.default.createDirectory(at: official, withIntermediateDirectories: true)
        try ServeFixture.png(0).write(to: official.appendingPathComponent("0001_01.png"))
        guard case .officialLayout = try CollectionSource.detect(root.appendingPathComponent("official").path) else {
            Issue.record("a folder of IIII_KK.png files is Omniglot's official layout"); return
        }
    }

    /// 40 concurrent embeddings through the shared, batching path equal the same images embedded
    /// one at a time.
    @Test func concurrentEmbeddingsMatchSequentialOnes() async throws {
        let server = try ServeFixture.server()
        let images = (0..<40).map { ServeFixture.glyph($0 % ServeFixture.count).map { Float($0) / 255 } }
        var sequential = [[Float]]()
        for image in images { sequential.append(try await server.embedder.embed(image)) }
        let concurrent = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (i, image) in images.enumerated() { group.addTask { (i, try await server.embedder.embed(image)) } }
            var out = [[Float]](repeating: [], count: images.count)
            for try await (i, e) in group { out[i] = e }
            return out
        }
        for (a, b) in zip(sequential, concurrent) {
            #expect(a.count == b.count)
            for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-5) }
        }
    }
}

/// `/v1/model`'s document from a run folder: the training configuration and the best epoch's figures.
@Suite struct ModelInfoTests {
    @Test func readsConfigAndBestEpochFromTheRunFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("glyphserve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = RunFolder(root)
        try run.create()
        let config = TrainingConfig(model: ModelConfig(preset: .fast, imageSize: 28, width: 8, embeddingSize: 16), epochs: 3)
        try run.writeConfig(config)
        // A step row, then three epochs whose second has the best one-shot accuracy.
        let lines = [#"{"kind":"step","epoch":1,"step":5,"wall_time":4,"loss":1.5,"learning_rate":0.1}"#]
            + [(1, 0.5), (2, 0.7), (3, 0.6)].map { n, oneShot in
                #"{"kind":"epoch","epoch":\#(n),"step":10,"wall_time":\#(n * 10),"loss":1,"learning_rate":0.1,"#
                    + #""val_pair_accuracy":0.9,"val_oneshot_accuracy":\#(oneShot)}"#
            }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: run.file(RunFolder.logFile))

        let server = try ServeFixture.server()
        let info = ModelInfo(checkpoint: run.file(RunFolder.bestCheckpoint), runFolder: root,
                             embedder: server.embedder, collection: server.collection)
        #expect(info.training?.loss == "prototypical")
        #expect(info.training?.epochs == 3)
        #expect(info.figures?.epochsRun == 3)
        #expect(info.figures?.bestEpoch == 2)
        #expect(info.figures?.validationOneshotAccuracy == 0.7)
        #expect(info.figures?.trainingSeconds == 30)
        #expect(info.imageSide == 28 && info.embeddingSize == 16)
    }
}

/// Image dimensions read from headers before any decoding.
@Suite struct ImageHeaderTests {
    @Test func pngAndJPEGDimensions() throws {
        #expect(ImageHeader.dimensions(try ServeFixture.png(0)).map { [$0.0, $0.1] } == [28, 28])
        // SOI, an APP0 segment of 16 bytes, then a baseline frame header: 8-bit, height 300, width 5000.
        var jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        jpeg += [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x2C, 0x13, 0x88, 0x03] + [UInt8](repeating: 0, count: 9)
        #expect(ImageHeader.dimensions(Data(jpeg)).map { [$0.0, $0.1] } == [5000, 300])
        #expect(throws: ServeError.self) { try ImageHeader.check(Data(jpeg), name: "x.jpg", maxSide: 4096) }
        #expect(ImageHeader.dimensions(Data("hello".utf8)) == nil)
        #expect(ImageHeader.dimensions(Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00, 1, 2, 3, 4, 5, 6])) == nil)  // a zero-length segment
    }
}

/// The eight-lane distance equals the plain loop's for lengths with and without a remainder.
@Suite struct SquaredDistanceTests {
    @Test func matchesAPlainLoop() {
        var generator = SystemRandomNumberGenerator()
        for n in [1, 7, 8, 9, 16, 128, 131] {
            let a = (0..<n).map { _ in Float.random(in: -1...1, using: &generator) }
            let b = (0..<n).map { _ in Float.random(in: -1...1, using: &generator) }
            let plain = zip(a, b).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            let fast = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                ExactSearch.squaredDistance(pa.baseAddress!, pb.baseAddress!, n) } }
            #expect(abs(fast - plain) <= 1e-5 * max(1, plain), "n = \(n)")
        }
    }
}

/// With a model that reads scans (the default preprocessing of new models), an upload of a
/// glyph small, off centre and on beige paper finds the same glyph of a user's folder first:
/// the server reads uploads as the model's checkpoint says.
@Suite struct ScanReadingTests {
    /// Glyph `i` at twice its size on a 200x200 beige sheet, away from the centre.
    static func scanned(_ i: Int) throws -> Data {
        let side = ServeFixture.side, canvas = 200, paper: Float = 215, ink: Float = 40
        var gray = [UInt8](repeating: UInt8(paper), count: canvas * canvas)
        let glyph = ServeFixture.glyph(i)
        for y in 0..<(2 * side) { for x in 0..<(2 * side) {
            let amount = Float(glyph[(y / 2) * side + x / 2]) / 255
            gray[(110 + y) * canvas + 20 + x] = UInt8((paper - amount * (paper - ink)).rounded())
        } }
        return try PNGEncoder.encode(gray, width: canvas, height: canvas)
    }

    @Test func scannedUploadFindsItsGlyph() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("glyphserve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for i in 0..<ServeFixture.count {
            let folder = root.appendingPathComponent("glyph\(i)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try ServeFixture.png(i).write(to: folder.appendingPathComponent("clean.png"))
        }
        func scansFound(_ preprocessing: Preprocessing) async throws -> Int {
            let model = try SiameseModel(config: ModelConfig(preset: .fast, imageSize: ServeFixture.side, width: 8, embeddingSize: 16,
                                                             preprocessing: preprocessing), seed: 7)
            let collection = try InMemoryCollection.embedding(.userFolder(root), with: model)
            let embedder = Embedder(model: model)
            var found = 0
            for i in 0..<ServeFixture.count {
                let query = try await embedder.embed(try embedder.prepare(try Self.scanned(i), name: "scan", limits: ServeLimits()))
                if try collection.nearest(to: query, k: 1).first?.entry.label == "glyph\(i)" { found += 1 }
            }
            return found
        }
        let scan = try await scansFound(.scan(side: ServeFixture.side))
        let legacy = try await scansFound(.legacy(side: ServeFixture.side))
        // Chance is 1 in 12. An untrained tower is a weak judge, so the bar is "most", and above
        // what the same tower finds when the upload is read without paper level and crop.
        #expect(scan >= 8, "\(scan) of \(ServeFixture.count) scans found their glyph")
        #expect(scan > legacy, "scan reading \(scan), legacy reading \(legacy)")
    }
}
