import Foundation
import Testing
@testable import GlyphEngine

/// Checks our safetensors files against the reference implementation: Python's
/// `safetensors.numpy` reads what we write and we read what it writes. Runs
/// `scripts/safetensors_interop.py` with the interpreter in GLYPHSIM_PYTHON (scripts/test.sh
/// makes a venv with numpy and safetensors and sets it); without it the tests are skipped.

/// The test tiers (as `.needsOmniglot` in the other test targets): skipped, saying what to
/// set, when GLYPHSIM_PYTHON is unset.
private let python: String? = ProcessInfo.processInfo.environment["GLYPHSIM_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
private let needsPython = ConditionTrait.enabled(
    if: python != nil, "needs Python with numpy and safetensors: set GLYPHSIM_PYTHON=/path/to/python, as ./scripts/test.sh does")

private struct PythonUnavailable: Error, CustomStringConvertible {
    var description: String
}

private func runInterop(_ arguments: [String]) throws -> Data {
    guard let python else {
        throw PythonUnavailable(description: "GLYPHSIM_PYTHON is not set: point it at a Python with numpy and "
            + "safetensors (scripts/test.sh creates .venv-test and sets it)")
    }
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/safetensors_interop.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script.path] + arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw PythonUnavailable(description: "\(python) \(script.path) \(arguments) failed: "
            + (String(data: message, encoding: .utf8) ?? ""))
    }
    return data
}

private struct Description: Decodable {
    struct Entry: Decodable { var shape: [Int]; var dtype: String; var sum: Double; var first: Double? }
    var tensors: [String: Entry]
    var metadata: [String: String]
}

@Test(needsPython) func pythonSafetensorsReadsOurFiles() throws {
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("ours.safetensors")
    let tensors: [String: Tensor] = [
        "0.weight": Tensor(shape: [4, 1, 3, 3], scalars: (0..<36).map { Float(sin(Double($0))) }),
        "0.bias": Tensor(shape: [4], scalars: [0.5, -0.25, 1e-7, 3]),
        "3.running_mean": Tensor(shape: [1], scalars: [-2]),
        "optimizer.step": Tensor(shape: [1], scalars: [12]),
        "scalar": Tensor(shape: [], scalars: [1.25]),
        "empty": Tensor(zeros: [0, 3]),
    ]
    let metadata = ["glyphsim.architecture": "{\"layers\": [\"Conv2D(1->4, 3x3)\"]}", "glyphsim.config": "epochs=3\nlr=0.01"]
    try Checkpoint(tensors: tensors, metadata: metadata).write(to: url)

    let seen = try JSONDecoder().decode(Description.self, from: runInterop(["describe", url.path]))
    #expect(Set(seen.tensors.keys) == Set(tensors.keys))
    for (name, tensor) in tensors {
        let entry = try #require(seen.tensors[name])
        #expect(entry.shape == tensor.shape, "\(name)")
        #expect(entry.dtype == "float32", "\(name)")
        let sum = tensor.scalars.reduce(0.0) { $0 + Double($1) }
        #expect(abs(entry.sum - sum) <= 1e-9 * max(1, abs(sum)), "\(name): Python sums to \(entry.sum), we to \(sum)")
        #expect(entry.first == tensor.scalars.first.map(Double.init), "\(name)")
    }
    #expect(seen.metadata == metadata)
}

@Test(needsPython) func weReadPythonSafetensorsFiles() throws {
    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("theirs.safetensors")
    _ = try runInterop(["write", url.path])
    let checkpoint = try Checkpoint.read(from: url)

    #expect(Set(checkpoint.tensors.keys) == ["conv.weight", "conv.bias", "dense.weight64", "half", "scalar", "empty"])
    #expect(checkpoint.tensors["conv.weight"] == Tensor(shape: [2, 3, 2, 2], scalars: (0..<24).map { Float($0) / 8 }))
    #expect(checkpoint.tensors["conv.bias"] == Tensor(shape: [2], scalars: [-1.5, 2.25]))
    let linspace = (0..<6).map { Float(-1 + 2 * Double($0) / 5) }
    #expect(checkpoint.tensors["dense.weight64"] == Tensor(shape: [3, 2], scalars: linspace))
    // 6.1e-5 is below float16's smallest normal (2^-14): it becomes the subnormal 1023 * 2^-24.
    #expect(checkpoint.tensors["half"] == Tensor(shape: [4], scalars: [0.5, -2, 65504, 1023 * 0x1p-24]))
    #expect(checkpoint.tensors["scalar"] == Tensor(shape: [], scalars: [3.5]))
    #expect(checkpoint.tensors["empty"] == Tensor(zeros: [0, 4]))
    #expect(checkpoint.metadata == ["glyphsim.config": "{\"lr\": 0.01}", "written.by": "python"])
}
