import Foundation
import Testing
@testable import GlyphEngine

/// A fresh empty folder for one test's files.
func makeScratchFolder(_ label: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("glyphsim-checkpoint-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private func sampleCheckpoint() -> Checkpoint {
    Checkpoint(
        tensors: [
            "0.weight": Tensor(shape: [2, 3, 2, 2], scalars: (0..<24).map { Float($0) * 0.125 - 1 }),
            "0.bias": Tensor(shape: [2], scalars: [-1.5, .pi]),
            "scalar": Tensor(shape: [], scalars: [3.5]),
            "empty": Tensor(zeros: [0, 4]),
            "bn/running_var é": Tensor(shape: [3], scalars: [1e-30, 1e30, -0.0]),
        ],
        metadata: ["glyphsim.config": "{\"lr\": 0.01, \"path\": \"a/b\"}\n", "note": "ünïcode ✓"])
}

/// A safetensors file with a hand-written header, to test what the reader refuses.
private func handMadeFile(in folder: URL, header: String, data: [UInt8]) throws -> URL {
    var bytes = [UInt8]()
    let json = Array(header.utf8)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes += json + data
    let url = folder.appendingPathComponent("hand.safetensors")
    try Data(bytes).write(to: url)
    return url
}

/// The reason of a `checkpointUnreadable` error, or a recorded issue.
private func unreadableReason(_ url: URL, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        _ = try Checkpoint.read(from: url)
        Issue.record("the file was accepted", sourceLocation: sourceLocation)
    } catch let EngineError.checkpointUnreadable(file, reason) {
        #expect(file == url.path, sourceLocation: sourceLocation)
        return reason
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
    return ""
}

@Test func checkpointRoundTripsTensorsAndMetadata() throws {
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("model.safetensors")
    let original = sampleCheckpoint()
    try original.write(to: url)
    let back = try Checkpoint.read(from: url)
    #expect(back.tensors == original.tensors)
    #expect(back.metadata == original.metadata)

    // The layout the format requires: header length, a JSON header padded to 8 bytes, data.
    let bytes = try Data(contentsOf: url)
    let headerLength = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
    #expect(headerLength % 8 == 0)
    #expect(bytes[8] == UInt8(ascii: "{"))
    let dataBytes = original.tensors.values.reduce(0) { $0 + $1.count * 4 }
    #expect(bytes.count == 8 + headerLength + dataBytes)
}

@Test func truncatedFilesAreRefused() throws {
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("model.safetensors")
    try sampleCheckpoint().write(to: url)
    let whole = try Data(contentsOf: url)
    for keep in [0, 5, 8, 20, whole.count - 40, whole.count - 1] {
        try whole.prefix(keep).write(to: url)
        let reason = unreadableReason(url)
        #expect(reason.contains("truncated"), "cut at \(keep) bytes: \(reason)")
    }
}

@Test func aMissingFileIsNamed() {
    let url = URL(fileURLWithPath: "/nonexistent/glyphsim/model.safetensors")
    #expect(unreadableReason(url) == "no such file")
}

@Test(arguments: [
    // (header, data bytes, words the reason must contain)
    (#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, 8, "ends at byte 16"),
    (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "overlaps"),
    (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "hole"),
    (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 8, "cover only 4"),
    (#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, "needs 12 bytes"),
    (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, 8, "begin <= end"),
    (#"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, 8, "dtype I64"),
    (#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, 8, "non-negative"),
    (#"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, 8, "non-negative integers"),
    (#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, 8, "too large"),
    (#"{"a":{"dtype":"F32","shape":[2]}}"#, 8, "data_offsets"),
    (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"k":3}}"#, 8, "strings to strings"),
    (#"{"a": nonsense}"#, 0, "not a JSON object"),
    (#"[1, 2]"#, 0, "start with '{'"),
])
func headersThatLieAreRefused(_ header: String, _ dataCount: Int, _ expected: String) throws {
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try handMadeFile(in: folder, header: header, data: [UInt8](repeating: 0, count: dataCount))
    let reason = unreadableReason(url)
    #expect(reason.contains(expected), "reason: \(reason)")
}

@Test func anAbsurdHeaderLengthIsRefused() throws {
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("huge.safetensors")
    try Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x7B, 0x7D]).write(to: url)
    #expect(unreadableReason(url).contains("exceeds"))
}

@Test func halfPrecisionTypesAreWidenedToFloat() throws {
    // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 2^-24 = 0x0001, -inf = 0xFC00.
    // BF16: the upper half of a float's bits: 1.0 = 0x3F80, -0.5 = 0xBF00.
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let halves: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0xFC00, 0x3F80, 0xBF00, 0]
    let data = halves.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    let header = #"{"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[10,16]}}"#
    let checkpoint = try Checkpoint.read(from: handMadeFile(in: folder, header: header, data: data))
    #expect(checkpoint.tensors["h"]?.scalars == [1, -2, 65504, 0x1p-24, -.infinity])
    #expect(checkpoint.tensors["b"]?.scalars == [1, -0.5, 0])
    #expect(checkpoint.metadata.isEmpty)
}

// MARK: - Models

private func smallModel(seed: Int) -> Sequential {
    Sequential {
        TestAffine(inputs: 3, outputs: 4, seed: seed)
        TestReLU()
        TestAffine(inputs: 4, outputs: 2, withBuffer: true, seed: seed + 7)
    }
}

@Test func modelStateRoundTripsThroughAFile() throws {
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("model.safetensors")
    let trained = smallModel(seed: 1)
    trained.buffers[0].value = Tensor(shape: [2], scalars: [0.25, -4])
    #expect(Set(trained.stateTensors().keys) == ["0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean"])
    try Checkpoint(tensors: trained.stateTensors(), metadata: ["glyphsim.architecture": trained.name]).write(to: url)

    let fresh = smallModel(seed: 99)
    let input = Tensor(shape: [2, 3], scalars: [0.3, -0.2, 0.9, 1, 0.5, -0.7])
    #expect(try fresh(input) != trained(input))
    let checkpoint = try Checkpoint.read(from: url)
    try fresh.loadState(checkpoint.tensors, file: url.path)
    #expect(fresh.stateTensors() == trained.stateTensors())
    #expect(try fresh(input) == trained(input))
    #expect(checkpoint.metadata["glyphsim.architecture"] == trained.name)
}

@Test func anotherArchitectureIsRefusedBeforeAnyChange() throws {
    let model = smallModel(seed: 1)
    let before = model.stateTensors()

    var missing = smallModel(seed: 2).stateTensors()
    missing["2.running_mean"] = nil
    #expect(throws: EngineError.architectureMismatch(file: "other.safetensors",
                                                     expected: "tensor 2.running_mean of shape [2]", found: "no such tensor")) {
        try model.loadState(missing, file: "other.safetensors")
    }

    let wider = Sequential {
        TestAffine(inputs: 3, outputs: 5)
        TestReLU()
        TestAffine(inputs: 5, outputs: 2, withBuffer: true)
    }
    #expect(throws: EngineError.architectureMismatch(file: "wide.safetensors",
                                                     expected: "0.weight of shape [4, 3]", found: "0.weight of shape [5, 3]")) {
        try model.loadState(wider.stateTensors(), file: "wide.safetensors")
    }

    var extra = smallModel(seed: 3).stateTensors()
    extra["4.weight"] = Tensor(zeros: [1, 2])
    #expect(throws: EngineError.self) { try model.loadState(extra, file: "extra.safetensors") }

    #expect(model.stateTensors() == before, "a refused load changed the model")
}

@Test func modelAndOptimizerShareOneCheckpoint() throws {
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("run.safetensors")
    let model = smallModel(seed: 1)
    let adam = Adam(learningRate: 0.01)
    for p in model.parameters { p.gradient = Tensor(repeating: 0.5, shape: p.value.shape) }
    adam.step(model.parameters)
    let tensors = model.stateTensors().merging(adam.stateTensors(for: model.parameters)) { a, _ in a }
    try Checkpoint(tensors: tensors, metadata: [:]).write(to: url)

    let back = try Checkpoint.read(from: url)
    let restored = smallModel(seed: 5)
    try restored.loadState(back.modelTensors, file: url.path)
    let restoredAdam = Adam(learningRate: 0.01)
    try restoredAdam.loadState(back.tensors, for: restored.parameters)
    #expect(restored.stateTensors() == model.stateTensors())
    #expect(restoredAdam.stateTensors(for: restored.parameters) == adam.stateTensors(for: model.parameters))
    #expect(restoredAdam.stepCount == 1)
}

// MARK: - Atomic writes

private func folderContents(_ folder: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
}

@Test func writingLeavesOnlyTheTargetFile() throws {
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("model.safetensors")
    try sampleCheckpoint().write(to: url)
    #expect(try folderContents(folder) == ["model.safetensors"])
    // Overwriting replaces the file in one piece.
    let second = Checkpoint(tensors: ["x": Tensor(shape: [1], scalars: [7])], metadata: [:])
    try second.write(to: url)
    #expect(try folderContents(folder) == ["model.safetensors"])
    #expect(try Checkpoint.read(from: url).tensors == second.tensors)
}

@Test func aFailedWriteKeepsTheOldFileAndNoTemporary() throws {
    struct DiskFull: Error {}
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("model.safetensors")
    try sampleCheckpoint().write(to: url)
    let old = try Data(contentsOf: url)
    #expect(throws: DiskFull.self) {
        try AtomicFileWriter.write(to: url) { sink in
            try [UInt8](repeating: 1, count: 100).withUnsafeBytes { try sink($0) }
            throw DiskFull()
        }
    }
    #expect(try Data(contentsOf: url) == old)
    #expect(try folderContents(folder) == ["model.safetensors"])
}

@Test func writingIntoAMissingFolderFailsClearly() throws {
    let url = URL(fileURLWithPath: "/nonexistent/glyphsim/model.safetensors")
    do {
        try sampleCheckpoint().write(to: url)
        Issue.record("the write succeeded")
    } catch let EngineError.writeFailed(file, reason) {
        #expect(file == url.path)
        #expect(reason.contains("No such file or directory"), "reason: \(reason)")
    }
}

@Test func reservedNamesCannotBeWritten() throws {
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("bad.safetensors")
    #expect(throws: EngineError.self) {
        try Checkpoint(tensors: ["__metadata__": Tensor(zeros: [1])], metadata: [:]).write(to: url)
    }
    #expect(try folderContents(folder).isEmpty)
}
