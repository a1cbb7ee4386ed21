import Foundation
import Testing
@testable import GlyphEngine

/// The engine's guards against hostile input: finite checks, checkpoint limits and the atomic writer.
@Suite struct HardeningTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("glyphsim-hardening-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func finiteCheckFindsNaNAndInfinityAndNamesTheTensor() {
        var values = [Float](repeating: 0.5, count: 1001)
        #expect(FiniteCheck.isFinite(Tensor(shape: [1001], scalars: values)))
        for bad in [Float.nan, .infinity, -.infinity] {
            values[777] = bad
            #expect(!FiniteCheck.isFinite(Tensor(shape: [1001], scalars: values)), "\(bad)")
        }
        let tensors = ["a": Tensor(shape: [2], scalars: [1, 2]), "b": Tensor(shape: [2], scalars: [1, .nan])]
        #expect(FiniteCheck.firstNonFinite(tensors) == "b")
        let variance = ["1.running_var": Tensor(shape: [2], scalars: [1, -0.5])]
        #expect(FiniteCheck.problem(in: variance)?.contains("1.running_var") == true)
        #expect(FiniteCheck.problem(in: ["1.running_var": Tensor(shape: [2], scalars: [1, 0])]) == nil)
    }

    @Test func aHeaderBeyondTheLimitIsRefusedBeforeItIsParsed() throws {
        var bytes = Data(count: 8)
        let declared = UInt64(EngineLimits.maxSafetensorsHeaderBytes + 8)
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: declared.littleEndian, as: UInt64.self) }
        bytes += Data(repeating: 0x20, count: Int(declared))
        let error = #expect(throws: EngineError.self) {
            try SafetensorsLayout.parse(bytes) { .checkpointUnreadable(file: "x", reason: $0) }
        }
        #expect(error?.description.contains("limit") == true)
    }

    @Test func writeAllLeavesNoneOfTheFilesWhenOneFails() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.npy"), b = dir.appendingPathComponent("a.names.txt")
        // b's name is taken by a non-empty folder, so its rename fails after a's succeeded.
        try FileManager.default.createDirectory(at: b.appendingPathComponent("x"), withIntermediateDirectories: true)
        #expect(throws: EngineError.self) { try AtomicFileWriter.writeAll([(Data("1".utf8), a), (Data("2".utf8), b)]) }
        #expect(!FileManager.default.fileExists(atPath: a.path))
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left == ["a.names.txt"], "\(left)")
        // Without the obstacle both are written.
        try FileManager.default.removeItem(at: b)
        try AtomicFileWriter.writeAll([(Data("1".utf8), a), (Data("2".utf8), b)])
        #expect(try Data(contentsOf: a) == Data("1".utf8) && (try Data(contentsOf: b)) == Data("2".utf8))
    }

    @Test func temporaryNamesAreShortAndStaleOnesAreRemoved() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let long = dir.appendingPathComponent(String(repeating: "n", count: 250) + ".bin")
        #expect(AtomicFileWriter.temporaryURL(for: long).lastPathComponent.utf8.count <= 40)
        try AtomicFileWriter.write(Data("ok".utf8), to: long)
        #expect(try Data(contentsOf: long) == Data("ok".utf8))
        // A dead process's temporary file goes; a live one's (ours, pid 1) stays.
        let dead = dir.appendingPathComponent(AtomicFileWriter.temporaryPrefix + "999999999-a")
        let live = dir.appendingPathComponent(AtomicFileWriter.temporaryPrefix + "1-b")
        for url in [dead, live] { try Data("x".utf8).write(to: url) }
        AtomicFileWriter.removeStaleTemporaries(in: dir)
        #expect(!FileManager.default.fileExists(atPath: dead.path))
        #expect(FileManager.default.fileExists(atPath: live.path))
    }
}
