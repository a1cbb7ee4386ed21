import Foundation
import Testing
import ZIPFoundation
@testable import GlyphData

/// The test tiers. A plain `swift test` needs nothing but the checkout: every test that reads
/// Omniglot carries `.needsOmniglot` and is skipped, with one line naming the variable to set,
/// when GLYPHSIM_DATA is unset. `./scripts/test.sh` sets it (and fails when the folder is not
/// there), so CI runs every test. A GLYPHSIM_DATA naming a folder without the data makes those
/// tests fail, not skip: asking for the data and not finding it is an error.
enum TestData {
    /// $GLYPHSIM_DATA, or nil when it is unset or empty (the data tests are then skipped).
    static let path: String? = {
        guard let path = ProcessInfo.processInfo.environment["GLYPHSIM_DATA"], !path.isEmpty else { return nil }
        return path
    }()

    static let skipNote: Comment = "needs Omniglot: set GLYPHSIM_DATA=/path/to/omniglot (the folder with images_background.npz), as ./scripts/test.sh does"

    /// The Omniglot folder; only `.needsOmniglot` tests ask for it.
    static var folder: URL {
        get throws {
            guard let path else { throw MissingTestData() }
            return URL(fileURLWithPath: path, isDirectory: true)
        }
    }

    static func file(_ name: String) throws -> URL { try folder.appendingPathComponent(name) }

    /// Both npz sets, loaded once for all tests (global lets are initialised once, thread-safely).
    static func npz() throws -> (background: GlyphDataset, evaluation: GlyphDataset) { try cachedNPZ.get() }
}

struct MissingTestData: Error, CustomStringConvertible {
    var description: String { "GLYPHSIM_DATA is not set (a data test without the .needsOmniglot trait)" }
}

extension Trait where Self == ConditionTrait {
    /// Runs a test only when GLYPHSIM_DATA names the Omniglot folder (see `TestData`).
    static var needsOmniglot: Self { .enabled(if: TestData.path != nil, TestData.skipNote) }
}

private let cachedNPZ: Result<(background: GlyphDataset, evaluation: GlyphDataset), Error> = Result {
    let folder = try TestData.folder
    return (try Omniglot.loadNPZ(folder.appendingPathComponent("images_background.npz"), set: .background),
            try Omniglot.loadNPZ(folder.appendingPathComponent("images_evaluation.npz"), set: .evaluation))
}

/// A fresh empty folder under the system's temporary folder.
func temporaryFolder(_ name: String = #function) throws -> URL {
    let clean = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("glyphdata-\(clean)-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A tiny synthetic dataset: `characters` characters in `alphabets` alphabets (round robin),
/// `drawings` images each, side 4, every pixel of image i equal to i % 256.
func syntheticDataset(characters: Int, alphabets: Int, drawings: Int, side: Int = 4) -> GlyphDataset {
    var chars = [CharacterInfo](), ink = [UInt8](), labels = [Int](), draws = [Int](), sources = [String]()
    for c in 0..<characters {
        chars.append(CharacterInfo(id: c + 1, alphabet: "A\(c % alphabets)", set: .user, name: "c\(c)"))
        for k in 0..<drawings {
            let i = labels.count
            ink += [UInt8](repeating: UInt8(i % 256), count: side * side)
            labels.append(c); draws.append(k); sources.append("synthetic:\(c)/\(k)")
        }
    }
    return GlyphDataset(side: side, characters: chars, ink: ink, labels: labels, drawings: draws, sources: sources)
}

/// The same dataset with pixels that differ within each image (pixel j of the whole set is
/// (37 j) mod 251), so that a turn or a mirror image is visible.
func patternedSyntheticDataset(characters: Int, alphabets: Int, drawings: Int, side: Int) -> GlyphDataset {
    let plain = syntheticDataset(characters: characters, alphabets: alphabets, drawings: drawings, side: side)
    return GlyphDataset(side: side, characters: plain.characters, ink: plain.ink.indices.map { UInt8(($0 * 37) % 251) },
                        labels: plain.labels, drawings: plain.drawings, sources: plain.sources)
}

/// Writes a deflated zip with the given members (in name order).
func writeZip(_ url: URL, members: [String: Data]) throws {
    let archive = try Archive(url: url, accessMode: .create)
    for name in members.keys.sorted() {
        let data = members[name]!
        try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }
}
