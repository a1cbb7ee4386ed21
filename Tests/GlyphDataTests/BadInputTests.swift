import Foundation
import GlyphRandom
import Testing
@testable import GlyphData

@Suite("bad input")
struct BadInputTests {
    @Test func emptyCorruptAndWrongSizePNGs() throws {
        #expect { try PNGDecoder.decodeGray(Data(), file: "empty.png") } throws: { "\($0)".contains("empty.png") && "\($0)".contains("empty") }
        #expect { try PNGDecoder.decodeGray(Data("GIF89a".utf8), file: "gif.png") } throws: { "\($0)".contains("gif.png") }
        // A 104x105 drawing in the official layout is refused, naming the file and both sizes.
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dir = folder.appendingPathComponent("Latin/character01")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try PNGEncoder.encode([UInt8](repeating: 255, count: 104 * 105), width: 104, height: 105)
            .write(to: dir.appendingPathComponent("0683_01.png"))
        #expect { try Omniglot.loadOfficial(folder) } throws: { error in
            guard case let .wrongImageSize(file, expected, found) = error as? DataError else { return false }
            return file.hasSuffix("0683_01.png") && expected == "105x105" && found == "104x105"
        }
        // A badly named file is a layout error naming it.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("0683_01.png"))
        try PNGEncoder.encode([UInt8](repeating: 255, count: 105 * 105), width: 105, height: 105)
            .write(to: dir.appendingPathComponent("glyph.png"))
        #expect { try Omniglot.loadOfficial(folder) } throws: { "\($0)".contains("glyph.png") }
    }

    @Test(.needsOmniglot) func truncatedZipAndMissingThings() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try Data(contentsOf: try TestData.file("images_background_small1.zip"))
        let truncated = folder.appendingPathComponent("images_background.zip")
        try original.prefix(original.count / 2).write(to: truncated)
        #expect { try Omniglot.load(.background, from: folder) } throws: { error in
            guard case let .corruptZip(file, _) = error as? DataError else { return false }
            return file == truncated.path
        }
        #expect { try Omniglot.loadOfficial(folder.appendingPathComponent("nothing.zip")) } throws: { "\($0)".contains("nothing.zip") }
        #expect { try OneShotRuns.load(from: folder.appendingPathComponent("none")) } throws: { "\($0)".contains("none") }
        #expect { try UserFolder.load(folder.appendingPathComponent("missing"), preprocessing: .legacy(side: 28)) } throws: { "\($0)".contains("missing") }
        // Damaged deflate data inside an intact archive: an error naming the member, not a hang.
        var damaged = [UInt8](try Data(contentsOf: try TestData.file("one_shot_runs_sample.zip")))
        let zip = try ZipSource(data: Data(damaged), name: "runs.zip")
        let victim = try #require(zip.fileEntries.first { $0.method == 8 })  // a deflated class_labels.txt
        let dataStart = victim.localHeaderOffset + 30 + victim.path.utf8.count
        for k in 0..<min(40, victim.compressedSize) { damaged[dataStart + k] = 0xFF }
        #expect { try ZipSource(data: Data(damaged), name: "runs.zip").read(victim.path) } throws: { error in
            guard case let .corruptZip(file, reason) = error as? DataError else { return false }
            return file == "runs.zip" && reason.contains(victim.path)
        }
        // A folder with no runs in it.
        #expect { try OneShotRuns.load(from: folder) } throws: { "\($0)".contains("class_labels.txt") }
    }

    @Test func unreadableFolder() throws {
        guard getuid() != 0 else { return }  // root reads everything: nothing to test
        let folder = try temporaryFolder()
        defer { chmod(folder.path, 0o755); try? FileManager.default.removeItem(at: folder) }
        chmod(folder.path, 0)
        #expect { try UserFolder.load(folder, preprocessing: .legacy(side: 28)) } throws: { "\($0)".contains(folder.path) }
    }

    /// Random byte mutations and truncations of real files: every outcome is a value or a
    /// DataError, never a crash or a hang.
    @Test(.needsOmniglot) func fuzzPNGNPYAndZipReaders() throws {
        // GLYPHDATA_FUZZ_SCALE=20 runs 20 times as many cases (for a longer hunt by hand).
        let scale = Int(ProcessInfo.processInfo.environment["GLYPHDATA_FUZZ_SCALE"] ?? "") ?? 1
        var g = SeededGenerator(seed: UInt64(2024 + scale))
        func mutate(_ data: Data, _ g: inout SeededGenerator) -> Data {
            var bytes = [UInt8](data)
            switch g.nextInt(below: 3) {
            case 0:  // flip a few bytes
                for _ in 0..<(1 + g.nextInt(below: 8)) { bytes[g.nextInt(below: bytes.count)] = UInt8(truncatingIfNeeded: g.next()) }
            case 1:  // truncate
                bytes = Array(bytes.prefix(g.nextInt(below: bytes.count)))
            default:  // flip bytes in the first 64 (headers), then maybe truncate
                for _ in 0..<(1 + g.nextInt(below: 4)) { bytes[g.nextInt(below: min(64, bytes.count))] ^= UInt8(1 << g.nextInt(below: 8)) }
                if g.nextInt(below: 2) == 0 { bytes = Array(bytes.prefix(bytes.count - g.nextInt(below: bytes.count / 4 + 1))) }
            }
            return Data(bytes)
        }
        // PNG: a real Omniglot drawing.
        let zip = try ZipSource(url: try TestData.file("one_shot_runs_sample.zip"))
        let png = try zip.read("run01/training/class01.png")
        var pngErrors = 0
        for _ in 0..<(300 * scale) {
            do { _ = try PNGDecoder.decodeGray(mutate(png, &g), file: "fuzz.png") } catch is DataError { pngErrors += 1 }
        }
        // npy: a small real-format array.
        let npy = npyBytes("{'descr': '|b1', 'fortran_order': False, 'shape': (4, 105, 105), }",
                           payload: [UInt8](repeating: 1, count: 4 * 105 * 105))
        var npyErrors = 0
        for _ in 0..<(300 * scale) {
            let m = mutate(npy, &g)
            do { _ = try NPYReader.readBool(m, file: "fuzz.npy") } catch is DataError { npyErrors += 1 }
            do { _ = try NPYReader.readInt64(m, file: "fuzz.npy") } catch is DataError {}
        }
        // zip: the one-shot sample (36 kB), read whole through the runs reader and the zip source.
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let zipBytes = try Data(contentsOf: try TestData.file("one_shot_runs_sample.zip"))
        var zipErrors = 0
        for i in 0..<(150 * scale) {
            let url = folder.appendingPathComponent("fuzz\(i).zip")
            try mutate(zipBytes, &g).write(to: url)
            do { _ = try OneShotRuns.load(from: url) } catch is DataError { zipErrors += 1 }
            do { _ = try Omniglot.loadOfficial(url) } catch is DataError {}
            try? FileManager.default.removeItem(at: url)
        }
        // npz: a small npz (a zip of one deflated npy), mutated as a whole.
        let npzURL = folder.appendingPathComponent("small.npz")
        try writeZip(npzURL, members: ["images.npy": npy])
        let npzBytes = try Data(contentsOf: npzURL)
        var npzErrors = 0
        for i in 0..<(100 * scale) {
            let url = folder.appendingPathComponent("fuzz\(i).npz")
            try mutate(npzBytes, &g).write(to: url)
            do { _ = try NPYReader.readBool(try NPZReader.member("images.npy", of: url), file: "fuzz.npz") } catch is DataError { npzErrors += 1 }
            try? FileManager.default.removeItem(at: url)
        }
        print("fuzz: \(pngErrors)/\(300 * scale) PNG, \(npyErrors)/\(300 * scale) npy, \(zipErrors)/\(150 * scale) zip, \(npzErrors)/\(100 * scale) npz mutations refused with DataError")
        #expect(pngErrors > 100 * scale && npyErrors > 50 * scale && zipErrors > 50 * scale && npzErrors > 30 * scale)
    }
}
