import Foundation
import GlyphData
import GlyphSiamese
import Testing

/// Runs the built `glyphsim` executable and captures what it prints.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The `glyphsim` binary built beside this test bundle (.build/<configuration>/glyphsim).
    static let executable: URL = {
        var candidates = [URL]()
        let argument0 = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var folder = argument0.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("glyphsim"))
            folder = folder.deletingLastPathComponent()
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("glyphsim"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("glyphsim"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:],
                    onStart: ((Process) -> Void)? = nil) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["GLYPHSIM_THREADS"] = env["GLYPHSIM_THREADS"] ?? "2"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("glyphsim-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("glyphsim-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        onStart?(process)
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}

/// A fresh temporary folder, removed by the caller's `defer`.
func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("glyphsim-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The Omniglot folder the data tests (`.needsOmniglot`) read.
func dataFolder() throws -> String {
    try TestData.folder.path
}

/// A glyph drawn as a thick ring or cross, for images a user might bring.
func drawGlyph(side: Int, cross: Bool) -> [Float] {
    var ink = [Float](repeating: 0, count: side * side)
    let c = Float(side) / 2
    for y in 0..<side {
        for x in 0..<side {
            let dx = Float(x) - c, dy = Float(y) - c
            let r = (dx * dx + dy * dy).squareRoot()
            let on = cross ? (abs(dx) < Float(side) / 12 || abs(dy) < Float(side) / 12) && r < c * 0.8
                : abs(r - c * 0.6) < Float(side) / 12
            ink[y * side + x] = on ? 1 : 0
        }
    }
    return ink
}
