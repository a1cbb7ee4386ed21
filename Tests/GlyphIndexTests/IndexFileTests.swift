import Foundation
@testable import GlyphIndex
import GlyphRandom
import Testing

/// The index file: round trip, and every kind of bad file refused with a line naming it.
@Suite struct IndexFileTests {
    func written(_ index: EmbeddingIndex) throws -> (url: URL, data: Data, folder: URL) {
        let folder = try temporaryFolder("file")
        let url = folder.appendingPathComponent("glyphs.index")
        try IndexFile.write(index, to: url)
        return (url, try Data(contentsOf: url), folder)
    }

    @Test func roundTripKeepsEverything() throws {
        let index = try Synthetic.index(count: 57, dimension: 12, seed: 1)
        let (url, _, folder) = try written(index)
        defer { try? FileManager.default.removeItem(at: folder) }
        let back = try IndexFile.read(from: url)
        #expect(back.count == 57)
        #expect(back.dimension == 12)
        #expect(back.entries == index.entries)
        #expect(back.embeddings == index.embeddings)
        #expect(back.metadata == index.metadata)
        #expect(back.squaredNorms == index.squaredNorms)
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["glyphs.index"])
    }

    @Test func emptyIndexRoundTrips() throws {
        let index = try EmbeddingIndex(metadata: Synthetic.metadata, dimension: 8)
        let (url, _, folder) = try written(index)
        defer { try? FileManager.default.removeItem(at: folder) }
        let back = try IndexFile.read(from: url)
        #expect(back.count == 0)
        #expect(try back.nearest(to: [Float](repeating: 0, count: 8), k: 3) == [[]])
    }

    @Test func appendThenRoundTrip() throws {
        var index = try Synthetic.index(count: 10, dimension: 4, seed: 2)
        let extra = Synthetic.vectors(count: 3, dimension: 4, seed: 3)
        try index.append(entries: (0..<3).map { IndexEntry(path: "/new/\($0).png", label: "n") }, embeddings: extra)
        #expect(index.count == 13)
        #expect(throws: IndexError.self) { try index.append(entries: [IndexEntry(path: "/x.png")], embeddings: [1, 2]) }
        let (url, _, folder) = try written(index)
        defer { try? FileManager.default.removeItem(at: folder) }
        let back = try IndexFile.read(from: url)
        #expect(back.entries.suffix(3).map(\.path) == ["/new/0.png", "/new/1.png", "/new/2.png"])
        #expect(Array(back.embeddings.suffix(12)) == extra)
    }

    func expectUnreadable(_ data: Data, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try IndexFile.read(data, file: "bad.index")
            Issue.record("read a bad index without an error", sourceLocation: sourceLocation)
        } catch let error as IndexError {
            let text = "\(error)"
            #expect(text.contains("bad.index"), "\(text)", sourceLocation: sourceLocation)
            #expect(text.contains(fragment), "\(text)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("not an IndexError: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func truncatedFilesAreRefused() throws {
        let (_, data, folder) = try written(try Synthetic.index(count: 20, dimension: 6, seed: 4))
        defer { try? FileManager.default.removeItem(at: folder) }
        for cut in [0, 5, 11, 30, 47, 60, data.count / 2, data.count - 5, data.count - 1] {
            expectUnreadable(data.prefix(cut), cut < 12 ? "too short" : "truncated")
        }
    }

    @Test func flippedBitsAreCaughtByTheChecksum() throws {
        let (_, data, folder) = try written(try Synthetic.index(count: 20, dimension: 6, seed: 5))
        defer { try? FileManager.default.removeItem(at: folder) }
        // Past the header's sizes (whose change is caught as a size mismatch first).
        for offset in stride(from: 48, to: data.count - 4, by: 37) {
            var bad = data
            bad[offset] ^= 0x10
            expectUnreadable(bad, "checksum")
        }
    }

    @Test func otherFilesAndVersionsAreRefused() throws {
        let (_, data, folder) = try written(try Synthetic.index(count: 3, dimension: 2, seed: 6))
        defer { try? FileManager.default.removeItem(at: folder) }
        expectUnreadable(Data("{\"not\": \"an index\"} padding padding padding padding padding".utf8), "GLYPHIDX")
        var future = data
        future[8] = 2
        do {
            _ = try IndexFile.read(future, file: "bad.index")
            Issue.record("read a version 2 index")
        } catch let error as IndexError {
            #expect(error == .unsupportedVersion(file: "bad.index", found: 2, supported: 1))
            #expect("\(error)".contains("version 2"))
        }
        var huge = data
        huge.replaceSubrange(16..<24, with: withUnsafeBytes(of: UInt64.max.littleEndian) { Data($0) })
        expectUnreadable(huge, "promises more")
        let missing = folder.appendingPathComponent("missing.index")
        #expect(throws: IndexError.unreadable(file: missing.path, reason: "no such file")) { try IndexFile.read(from: missing) }
    }

    /// Fuzz-style: seeded random mutations (bytes flipped, cut, inserted), with and without the
    /// checksum repaired so that the checks behind it are reached too: every input is read or
    /// refused with an IndexError, never a crash.
    @Test func mutatedFilesNeverCrashTheReader() throws {
        let (_, data, folder) = try written(try Synthetic.index(count: 9, dimension: 3, seed: 7))
        defer { try? FileManager.default.removeItem(at: folder) }
        var g = SeededGenerator(seed: 99)
        var refused = 0, read = 0
        for trial in 0..<3000 {
            var bytes = [UInt8](data)
            for _ in 0..<(1 + Int(g.next() % 4)) {
                let at = Int(g.next() % UInt64(bytes.count))
                switch g.next() % 4 {
                case 0: bytes[at] ^= UInt8(1 << (g.next() % 8))
                case 1: bytes[at] = UInt8(truncatingIfNeeded: g.next())
                case 2: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(g.next() % 8)))
                default: bytes.insert(UInt8(truncatingIfNeeded: g.next()), at: at)
                }
                if bytes.count < 8 { break }
            }
            if trial % 2 == 0, bytes.count > 4 { repairChecksum(&bytes) }
            do {
                _ = try IndexFile.read(Data(bytes), file: "fuzz.index")
                read += 1
            } catch let error as IndexError {
                #expect("\(error)".contains("fuzz.index"))
                refused += 1
            }
        }
        #expect(refused > 2500)
        #expect(refused + read == 3000)
    }

    func repairChecksum(_ bytes: inout [UInt8]) {
        let body = Data(bytes.dropLast(4))
        let crc = body.withUnsafeBytes { CRC32.of($0) }
        let le = withUnsafeBytes(of: crc.littleEndian) { Array($0) }
        bytes.replaceSubrange((bytes.count - 4)..<bytes.count, with: le)
    }
}
