import Foundation
import GlyphData

/// Lake et al.'s one-shot runs as a zip: labels files, their paths and the PNGs they name.
/// The reader takes a file, so each input is written to one (in memory-backed /dev/shm when
/// it exists).
let folder: URL = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
    let url = base.appendingPathComponent("glyphsim-fuzz-runs-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuns(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let file = folder.appendingPathComponent("all_runs.zip")
    guard (try? Data(bytes: bytes, count: count).write(to: file)) != nil else { return 0 }
    _ = try? OneShotRuns.load(from: file)
    return 0
}
