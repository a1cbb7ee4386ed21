import Foundation
import GlyphRandom
import Testing
@testable import GlyphData

/// Folders of glyph images made here: each image an 8x8 square of ink somewhere on a 24x24
/// white canvas, so that classes differ.
enum FolderMaker {
    static func glyph(_ n: Int) throws -> Data {
        var pixels = [UInt8](repeating: 255, count: 24 * 24)
        let x0 = 2 + (n * 5) % 14, y0 = 2 + (n * 3) % 14
        for y in y0..<(y0 + 8) { for x in x0..<(x0 + 8) { pixels[y * 24 + x] = 0 } }
        return try PNGEncoder.encode(pixels, width: 24, height: 24)
    }

    /// Writes `files` (relative path -> bytes) under a new folder and returns it.
    static func make(_ files: [String: Data], name: String = #function) throws -> URL {
        let root = try temporaryFolder(name)
        for (path, data) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        return root
    }
}

@Suite("user folders")
struct UserFolderTests {
    @Test func flatFolderOfClasses() throws {
        let jpeg = try JPEGEncoder.encodeGray([UInt8](repeating: 255, count: 24 * 24).enumerated().map { $0.offset % 24 < 12 ? 0 : 255 },
                                              width: 24, height: 24)
        let root = try FolderMaker.make([
            "cat/1.png": try FolderMaker.glyph(1), "cat/2.PNG": try FolderMaker.glyph(2), "dog/a.jpg": jpeg,
            "dog/b.png": try FolderMaker.glyph(3), "owl/only.png": try FolderMaker.glyph(4),
            "dog/notes.txt": Data("x".utf8), ".DS_Store": Data([0]), "cat/.hidden.png": Data([1, 2]),
            "__MACOSX/cat/._1.png": Data([3]),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let (ds, report) = try UserFolder.load(root, preprocessing: .scan(side: 16))
        #expect(report.layout == .flat && report.classes == 3 && report.groups == 1 && report.images == 5)
        #expect(report.ignoredFiles == 1 && report.warnings.isEmpty && report.singleImageClasses == ["owl"])
        #expect(ds.characters.map(\.name) == ["cat", "dog", "owl"])
        #expect(ds.characters.allSatisfy { $0.alphabet == root.lastPathComponent && $0.set == .user })
        #expect(ds.imagesOfCharacter.map(\.count) == [2, 2, 1] && ds.drawings == [0, 1, 0, 1, 0] && ds.side == 16)
        #expect(ds.sources[2].hasSuffix("dog/a.jpg"))
        #expect(report.lines[0].contains("<class>/<image>") && report.lines[0].contains("3 classes"))
        #expect(report.lines.contains { $0.contains("single image") && $0.contains("owl") })
        // Each image is its glyph, read as the preprocessing says.
        let expected = try UserImages.convert(try FolderMaker.glyph(3), file: "g", preprocessing: .scan(side: 16))
        #expect(Array(ds.ink[(3 * 256)..<(4 * 256)]) == expected.map { UInt8(($0 * 255).rounded()) })
    }

    @Test func groupedFolder() throws {
        let root = try FolderMaker.make([
            "Runic/a/1.png": try FolderMaker.glyph(1), "Runic/a/2.png": try FolderMaker.glyph(2),
            "Runic/b/1.png": try FolderMaker.glyph(3), "Ogham/a/1.png": try FolderMaker.glyph(4),
            "Ogham/a/2.png": try FolderMaker.glyph(5),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let (ds, report) = try UserFolder.load(root, preprocessing: .legacy(side: 12))
        #expect(report.layout == .grouped && report.classes == 3 && report.groups == 2 && report.images == 5)
        #expect(ds.characters.map(\.name) == ["Ogham/a", "Runic/a", "Runic/b"])
        #expect(ds.characters.map(\.alphabet) == ["Ogham", "Runic", "Runic"] && ds.alphabets == ["Ogham", "Runic"])
        #expect(ds.characters.map(\.id) == [1, 2, 3] && report.singleImageClasses == ["Runic/b"])
    }

    @Test func badLayoutsAreErrorsNamingExamples() throws {
        let g = try FolderMaker.glyph(1)
        let mixed = try FolderMaker.make(["a/1.png": g, "b/2.png": g, "G/c/3.png": g])
        let loose = try FolderMaker.make(["x.png": g, "a/1.png": g])
        let deep = try FolderMaker.make(["a/b/c/d.png": g])
        let empty = try FolderMaker.make(["readme.txt": Data("hi".utf8), ".hidden.png": g])
        defer { for f in [mixed, loose, deep, empty] { try? FileManager.default.removeItem(at: f) } }
        #expect { try UserFolder.load(mixed, preprocessing: .scan(side: 8)) } throws: { e in
            "\(e)".contains("mixes layouts") && "\(e)".contains("a/1.png") && "\(e)".contains("G/c/3.png")
        }
        #expect { try UserFolder.load(loose, preprocessing: .scan(side: 8)) } throws: { e in
            "\(e)".contains("mixes layouts") && "\(e)".contains("x.png") && "\(e)".contains("a/1.png")
        }
        #expect { try UserFolder.load(deep, preprocessing: .scan(side: 8)) } throws: { "\($0)".contains("a/b/c/d.png") }
        #expect { try UserFolder.load(empty, preprocessing: .scan(side: 8)) } throws: { e in
            "\(e)".contains(empty.path) && "\(e)".contains("no images")
        }
        let file = mixed.appendingPathComponent("a/1.png")
        #expect { try UserFolder.load(file, preprocessing: .scan(side: 8)) } throws: { "\($0)".contains("not a folder") }
    }

    @Test func badImagesAreErrorsOrNamedWarnings() throws {
        let g = try FolderMaker.glyph(1)
        let root = try FolderMaker.make(["a/1.png": g, "a/2.png": g, "a/broken.png": Data("not a png".utf8),
                                         "b/1.jpg": Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 1]), "b/2.png": g,
                                         "c/tiny.png": try PNGEncoder.encode([0], width: 1, height: 1)])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect { try UserFolder.load(root, preprocessing: .scan(side: 8)) } throws: { "\($0)".contains("a/broken.png") }
        let (ds, report) = try UserFolder.load(root, preprocessing: .scan(side: 8), skipBadImages: true)
        #expect(report.warnings.count == 3 && ds.imageCount == 3)
        #expect(report.warnings[0].contains("a/broken.png") && report.warnings[0].contains("not an image"))
        #expect(report.warnings[1].contains("b/1.jpg") && report.warnings[2].contains("c/tiny.png"))
        #expect(report.lines.last == "3 bad images skipped")
        // Class c lost its only image: it is gone, not an empty class.
        #expect(ds.characters.map(\.name) == ["a", "b"] && report.singleImageClasses == ["b"])
        // Nothing readable at all is an error even when skipping.
        let bad = try FolderMaker.make(["a/1.png": Data("x".utf8)])
        defer { try? FileManager.default.removeItem(at: bad) }
        #expect { try UserFolder.load(bad, preprocessing: .scan(side: 8), skipBadImages: true) } throws: { "\($0)".contains("none of its 1 images") }
    }

    /// Two threads give the dataset one thread gives, byte for byte, and progress counts up to the total.
    @Test func parallelLoadingEqualsSerial() throws {
        var files = [String: Data]()
        for c in 0..<7 { for k in 0..<(30 + c * 7) { files["class\(c)/\(k).png"] = try FolderMaker.glyph(c * 100 + k) } }
        let root = try FolderMaker.make(files)
        defer { try? FileManager.default.removeItem(at: root) }
        let serial = try UserFolder.load(root, preprocessing: .scan(side: 20), threads: 1)
        let counts = ProgressLog()
        let parallel = try UserFolder.load(root, preprocessing: .scan(side: 20), threads: 2) { done, total in
            counts.record(done, total)
        }
        #expect(serial.dataset.ink == parallel.dataset.ink && serial.dataset.labels == parallel.dataset.labels)
        #expect(serial.dataset.sources == parallel.dataset.sources && serial.report == parallel.report)
        let seen = counts.values
        #expect(seen.last.map { $0 == (files.count, files.count) } == true && zip(seen, seen.dropFirst()).allSatisfy { $0.0 < $1.0 })
    }

    @Test(.needsOmniglot) func detectsOmniglotOrUserFolder() throws {
        #expect(try DataFolderKind.detect(try TestData.folder) == .omniglot)
        let root = try FolderMaker.make(["a/1.png": try FolderMaker.glyph(1)])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try DataFolderKind.detect(root) == .userFolder)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("images_evaluation"), withIntermediateDirectories: true)
        #expect(try DataFolderKind.detect(root) == .omniglot)
        #expect { try DataFolderKind.detect(root.appendingPathComponent("nope")) } throws: { "\($0)".contains("nope") }
    }

    /// Random mutations of JPEG and TIFF files: every outcome is an image or a DataError.
    @Test func fuzzJPEGAndTIFFDecoders() throws {
        var g = SeededGenerator(seed: 77)
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let picture = (0..<(40 * 30)).map { UInt8(($0 * 13) % 256) }
        let url = folder.appendingPathComponent("f.tif")
        try TIFFEncoder.write(picture, width: 40, height: 30, channels: 1, deflate: true, to: url)
        let seeds = [try JPEGEncoder.encodeGray(picture, width: 40, height: 30), try Data(contentsOf: url),
                     HandmadeImages.tiff(width: 40, height: 30, pixels: picture)]
        var errors = 0, images = 0
        for seed in seeds {
            for _ in 0..<200 {
                var bytes = [UInt8](seed)
                if g.nextInt(below: 3) == 0 { bytes = Array(bytes.prefix(g.nextInt(below: bytes.count))) }
                for _ in 0..<(1 + g.nextInt(below: 6)) where !bytes.isEmpty {
                    bytes[g.nextInt(below: min(bytes.count, g.nextInt(below: 2) == 0 ? 200 : bytes.count))] = UInt8(truncatingIfNeeded: g.next())
                }
                do { _ = try ImageDecoder.decode(Data(bytes), file: "fuzz"); images += 1 } catch is DataError { errors += 1 }
            }
        }
        #expect(errors + images == 600 && errors > 100)
    }
}

/// Progress callbacks, recorded from whichever thread makes them.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log = [(Int, Int)]()
    func record(_ done: Int, _ total: Int) { lock.lock(); log.append((done, total)); lock.unlock() }
    var values: [(Int, Int)] { lock.lock(); defer { lock.unlock() }; return log }
}
