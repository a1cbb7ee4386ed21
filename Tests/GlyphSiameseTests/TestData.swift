import Foundation
import Testing

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
}

struct MissingTestData: Error, CustomStringConvertible {
    var description: String { "GLYPHSIM_DATA is not set (a data test without the .needsOmniglot trait)" }
}

extension Trait where Self == ConditionTrait {
    /// Runs a test only when GLYPHSIM_DATA names the Omniglot folder (see `TestData`).
    static var needsOmniglot: Self { .enabled(if: TestData.path != nil, TestData.skipNote) }
}
