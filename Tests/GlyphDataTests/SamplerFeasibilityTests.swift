import Foundation
import GlyphRandom
import Testing
@testable import GlyphData

/// Samplers say up front when the data cannot give what was asked, instead of returning empty
/// epochs that a training loop would wait on forever.
@Suite struct SamplerFeasibilityTests {
    /// `characters` characters of one alphabet with `drawings` 2x2 images each.
    func dataset(characters: Int, drawings: Int) -> GlyphDataset {
        let infos = (0..<characters).map { CharacterInfo(id: $0 + 1, alphabet: "A", set: .background, name: "c\($0)") }
        let labels = (0..<characters).flatMap { Array(repeating: $0, count: drawings) }
        return GlyphDataset(side: 2, characters: infos, ink: [UInt8](repeating: 0, count: labels.count * 4), labels: labels,
                            drawings: labels.indices.map { $0 % drawings }, sources: labels.indices.map { "i\($0)" })
    }

    @Test func classBatchesTheDataCannotGiveAreRefusedSayingWhatItHolds() throws {
        let data = dataset(characters: 10, drawings: 3)
        try ClassBatchSampler(dataset: data, charactersPerBatch: 5, imagesPerCharacter: 3).check()
        let tooMany = #expect(throws: DataError.self) {
            try ClassBatchSampler(dataset: data, charactersPerBatch: 2, imagesPerCharacter: 30).check()
        }
        #expect(tooMany?.description.contains("at most 3 images") == true, "\(String(describing: tooMany))")
        let tooLarge = #expect(throws: DataError.self) {
            try ClassBatchSampler(dataset: data, charactersPerBatch: 11, imagesPerCharacter: 2).check()
        }
        #expect(tooLarge?.description.contains("only 10 characters") == true, "\(String(describing: tooLarge))")
    }

    @Test func pairsAndTripletsNeedTwoDrawingsAndTwoCharacters() throws {
        try PairSampler(dataset: dataset(characters: 2, drawings: 2)).check()
        #expect(throws: DataError.self) { try PairSampler(dataset: dataset(characters: 1, drawings: 2)).check() }
        #expect(throws: DataError.self) { try TripletSampler(dataset: dataset(characters: 5, drawings: 1)).check() }
    }

    @Test func oddMemberPathsAreRefused() {
        for path in ["/etc/passwd", "a/../../b", "..", "a\u{0}b", ""] {
            #expect(ZipSource.oddPathReason(path) != nil, "\(path.debugDescription)")
        }
        for path in ["run01/class_labels.txt", "images.npy", "a/b/", "a..b/c"] {
            #expect(ZipSource.oddPathReason(path) == nil, "\(path)")
        }
    }
}
