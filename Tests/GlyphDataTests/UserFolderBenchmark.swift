import Foundation
import Testing
@testable import GlyphData

/// Loading speed of a user folder, for docs/own-glyphs.md. Not a timed assertion: opt in with
/// GLYPHSIM_BENCH=1 on a release build and read the printed figures. The folder
/// (GLYPHSIM_BENCH_FOLDER, default /tmp/glyphsim-folder-bench) is made first if missing:
/// GLYPHSIM_BENCH_IMAGES (default 100,000) Omniglot drawings from the npz as 105x105 PNGs,
/// `<alphabet>/<character>/<drawing>.png`.
private let benchmarkEnabled = ProcessInfo.processInfo.environment["GLYPHSIM_BENCH"] == "1"

@Suite("user folder loading benchmark", .enabled(if: benchmarkEnabled))
struct UserFolderBenchmark {
    @Test(.needsOmniglot) func loadFolderOfPNGs() throws {
        let env = ProcessInfo.processInfo.environment
        let folder = URL(fileURLWithPath: env["GLYPHSIM_BENCH_FOLDER"] ?? "/tmp/glyphsim-folder-bench")
        let count = Int(env["GLYPHSIM_BENCH_IMAGES"] ?? "") ?? 100_000
        if !FileManager.default.fileExists(atPath: folder.path) { try make(folder, count: count) }
        for (side, threads, preprocessing) in [(32, 2, Preprocessing.scan(side: 32)), (32, 1, .scan(side: 32)),
                                                (105, 2, .scan(side: 105))] {
            let start = Date()
            let (ds, report) = try UserFolder.load(folder, preprocessing: preprocessing, threads: threads)
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "user folder: %d images (%d classes) at %dx%d, %@, %d thread(s): %.2f s, %.0f images/s",
                         report.images, report.classes, side, side, preprocessing.crops ? "scan reading" : "legacy",
                         threads, seconds, Double(ds.imageCount) / seconds))
        }
    }

    private func make(_ folder: URL, count: Int) throws {
        let (bg, ev) = try TestData.npz()
        let all = GlyphDataset.merged([bg, ev])
        let start = Date()
        var image = [Float](repeating: 0, count: 105 * 105)
        for i in 0..<min(count, all.imageCount * 4) {
            let index = i % all.imageCount, copy = i / all.imageCount
            let c = all.characters[all.labels[index]]
            let dir = folder.appendingPathComponent("\(c.alphabet)/\(c.id)")
            if all.drawings[index] == 0 { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
            image.withUnsafeMutableBufferPointer { all.copyImage(index, into: $0.baseAddress!) }
            let gray = image.map { UInt8(255 - $0 * 255) }
            try PNGEncoder.encode(gray, width: 105, height: 105).write(to: dir.appendingPathComponent("\(all.drawings[index])-\(copy).png"))
        }
        print(String(format: "made %d PNGs in %@ in %.1f s", count, folder.path, Date().timeIntervalSince(start)))
    }
}
