import Foundation
import GlyphData
import GlyphSiamese
import Testing

/// embed over a folder of PNG, JPEG and TIFF files, with and without --skip-bad-images.
@Suite struct EmbedImageFormatsTests {
    @Test func embedReadsEveryFormatAndSkipsBadImagesByName() throws {
        let folder = try temporaryFolder("embed-formats")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let model = try SiameseModel(config: ModelConfig(preset: .fast), seed: 5)
        try model.save(to: run.appendingPathComponent(RunFolder.bestCheckpoint))
        let images = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let gray = drawGlyph(side: 60, cross: true).map { UInt8(255 - 255 * $0) }
        try PNGEncoder.encode(gray, width: 60, height: 60).write(to: images.appendingPathComponent("a.png"))
        let jpeg = try ImageWriters.jpeg(gray: gray, width: 60, height: 60)
        try jpeg.write(to: images.appendingPathComponent("b.JPG"))
        try ImageWriters.tiff(gray: gray, width: 60, height: 60, to: images.appendingPathComponent("c.tif"))
        try Data("not an image".utf8).write(to: images.appendingPathComponent("d.png"))
        try Data("notes".utf8).write(to: images.appendingPathComponent("readme.txt"))
        let out = folder.appendingPathComponent("e.csv")
        // Without the flag the bad file is an error naming it, and nothing is written.
        let failed = try CLI.run(["embed", run.path, images.path, "--out", out.path])
        #expect(failed.status != 0 && failed.stderr.contains("d.png") && failed.stderr.contains("not an image"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // With it: a warning line for d.png, a count, and the three good images embedded.
        let skipped = try CLI.run(["embed", run.path, images.path, "--out", out.path, "--skip-bad-images"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("warning:") && skipped.stderr.contains("d.png") && skipped.stderr.contains("1 bad images skipped"))
        let rows = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }
        #expect(rows.map { String($0.split(separator: "/").last!) } == ["a.png", "b.JPG", "c.tif"])
    }
}
