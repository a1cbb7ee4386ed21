import Foundation
import FuzzSupport
import GlyphData

// Lake et al.'s one-shot runs as a zip: labels files, their paths and the PNGs they name. The
// reader takes a file, so each input is written to one (in memory-backed /dev/shm when it exists).
let base = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
let file = base.appendingPathComponent("glyphsim-fuzz-runs-\(ProcessInfo.processInfo.processIdentifier).zip")
fuzz { data in
    guard (try? data.write(to: file)) != nil else { return }
    _ = try? OneShotRuns.load(from: file)
}
