import Foundation
import GlyphData
import GlyphSiamese
import Testing

/// compare, embed and search on a user's own images: other sizes and colour types, and bad input.
@Suite struct UseCommandTests {
    /// An untrained fast model with a threshold, saved as a run folder's best checkpoint.
    func makeRun(in folder: URL) throws -> URL {
        let run = folder.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let model = try SiameseModel(config: ModelConfig(preset: .fast), seed: 3)
        model.threshold = 0.5
        try model.save(to: run.appendingPathComponent(RunFolder.bestCheckpoint))
        return run
    }

    /// Images of other sizes and colour types: gray 8-bit 64x80, RGB 50x50, gray+alpha 200x150,
    /// 16-bit gray 105x105, light ink on dark paper.
    func writeImages(in folder: URL) throws -> [URL] {
        var files = [URL]()
        func save(_ data: Data, _ name: String) throws {
            let url = folder.appendingPathComponent(name)
            try data.write(to: url)
            files.append(url)
        }
        func bytes(_ ink: [Float], darkInk: Bool = true) -> [UInt8] {
            ink.map { UInt8(darkInk ? 255 - 255 * $0 : 255 * $0) }
        }
        let ring64 = drawGlyph(side: 64, cross: false)
        try save(try PNGEncoder.encode(bytes(ring64) + [UInt8](repeating: 255, count: 64 * 16), width: 64, height: 80), "ring-gray.png")
        let cross50 = bytes(drawGlyph(side: 50, cross: true))
        try save(try PNGEncoder.encode(cross50.flatMap { [$0, $0, $0] }, width: 50, height: 50, layout: .rgb), "cross-rgb.png")
        let ring150 = bytes(drawGlyph(side: 150, cross: false))
        var ga = [UInt8]()
        for y in 0..<150 { for x in 0..<200 { let v = x < 150 ? ring150[y * 150 + x] : 255; ga += [v, 255] } }
        try save(try PNGEncoder.encode(ga, width: 200, height: 150, layout: .grayAlpha), "ring-alpha.png")
        let cross105 = drawGlyph(side: 105, cross: true).map { UInt16(65535 - 65535 * $0) }
        try save(try PNGEncoder.encode16(cross105, width: 105, height: 105), "cross-16bit.png")
        try save(try PNGEncoder.encode(bytes(drawGlyph(side: 90, cross: false), darkInk: false), width: 90, height: 90), "ring-light-ink.png")
        return files
    }

    @Test func compareTwoImagesOfOtherSizesAndColourTypes() throws {
        let folder = try temporaryFolder("compare")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try makeRun(in: folder)
        let images = try writeImages(in: folder)
        let result = try CLI.run(["compare", run.path, images[0].path, images[1].path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let distance = try #require(json?["distance"] as? Double)
        #expect(distance > 0)
        #expect(json?["is_same"] as? Bool == (distance <= 0.5))
        // The same glyph at two sizes and polarities is closer than two different glyphs.
        let same = try CLI.run(["compare", run.path, images[0].path, images[4].path, "--json"])
        #expect(same.status == 0, "\(same.stderr)")
        let text = try CLI.run(["compare", run.path, images[2].path, images[3].path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("distance"))
        #expect(text.stdout.contains("same character") || text.stdout.contains("different characters"))
    }

    @Test func embedWritesCSVAndNPY() throws {
        let folder = try temporaryFolder("embed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try makeRun(in: folder)
        let imageFolder = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: imageFolder, withIntermediateDirectories: true)
        let images = try writeImages(in: imageFolder)
        let csv = folder.appendingPathComponent("e.csv")
        let r1 = try CLI.run(["embed", run.path, imageFolder.path, "--out", csv.path])
        #expect(r1.status == 0, "\(r1.stderr)")
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == images.count + 1)
        #expect(lines[0].hasPrefix("file,e0,e1"))
        #expect(lines[0].split(separator: ",").count == 129)
        #expect(lines[1].split(separator: ",").count == 129)

        let npy = folder.appendingPathComponent("e.npy")
        let r2 = try CLI.run(["embed", run.path, images[0].path, images[1].path, "--out", npy.path])
        #expect(r2.status == 0, "\(r2.stderr)")
        let data = try Data(contentsOf: npy)
        #expect(data.prefix(6) == Data([0x93]) + Data("NUMPY".utf8))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'shape': (2, 128)"))
        #expect((10 + headerLength) % 64 == 0)
        #expect(data.count == 10 + headerLength + 2 * 128 * 4)
        let names = try String(contentsOf: folder.appendingPathComponent("e.names.txt"), encoding: .utf8)
        #expect(names.split(separator: "\n").count == 2)
    }

    @Test func searchRanksNearestFirstAndLeavesOutTheQueryItself() throws {
        let folder = try temporaryFolder("search")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try makeRun(in: folder)
        let imageFolder = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: imageFolder, withIntermediateDirectories: true)
        let images = try writeImages(in: imageFolder)
        let result = try CLI.run(["search", run.path, images[1].path, "--in", imageFolder.path, "--top", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        // Rank lines start with the right-aligned rank; the query, being in the folder, is left out.
        let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("   ") }
        #expect(rows.count == 3)
        let distances = rows.compactMap { Double($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
        #expect(distances == distances.sorted())
        #expect(!rows.contains { $0.hasSuffix(images[1].path) })
        #expect(result.stdout.contains("left out"))
    }

    @Test func corruptImageFailsWithTheFileNamed() throws {
        let folder = try temporaryFolder("corrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try makeRun(in: folder)
        let images = try writeImages(in: folder)
        let bad = folder.appendingPathComponent("broken.png")
        let good = try Data(contentsOf: images[0])
        try good.prefix(good.count / 2).write(to: bad)
        let result = try CLI.run(["compare", run.path, images[0].path, bad.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("broken.png"))
        let empty = folder.appendingPathComponent("empty.png")
        try Data().write(to: empty)
        let r2 = try CLI.run(["compare", run.path, empty.path, images[0].path])
        #expect(r2.status != 0)
        #expect(r2.stderr.contains("empty.png"))
        let missing = try CLI.run(["compare", run.path, folder.appendingPathComponent("nope.png").path, images[0].path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("nope.png"))
    }

    @Test func missingOrForeignCheckpointFailsClearly() throws {
        let folder = try temporaryFolder("checkpoint")
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = try writeImages(in: folder)
        let missing = try CLI.run(["compare", folder.appendingPathComponent("no-run").path, images[0].path, images[1].path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no-run"))
        let notCheckpoint = folder.appendingPathComponent("junk.safetensors")
        try Data("not a checkpoint at all".utf8).write(to: notCheckpoint)
        let junk = try CLI.run(["compare", notCheckpoint.path, images[0].path, images[1].path])
        #expect(junk.status != 0)
        #expect(junk.stderr.contains("junk.safetensors"))
        let emptyRun = folder.appendingPathComponent("empty-run")
        try FileManager.default.createDirectory(at: emptyRun, withIntermediateDirectories: true)
        let none = try CLI.run(["embed", emptyRun.path, images[0].path, "--out", folder.appendingPathComponent("x.csv").path])
        #expect(none.status != 0)
        #expect(none.stderr.contains("no checkpoint"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.csv").path))
    }
}
