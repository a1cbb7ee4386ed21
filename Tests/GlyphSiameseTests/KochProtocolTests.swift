import Foundation
import GlyphData
import GlyphRandom
@testable import GlyphSiamese
import Testing

/// Koch et al.'s 400-trial protocol drawn from the real evaluation set.
@Suite struct KochProtocolTests {
    @Test(.needsOmniglot) func fourHundredTrialsOfTwentyCharactersByTwoDrawersInTheTenRunAlphabets() throws {
        let evaluation = try Omniglot.load(.evaluation, from: try TestData.folder)
        var g = SeededGenerator(seed: 2021)
        let episodes = try #require(KochProtocol.episodes(evaluation, generator: &g))
        #expect(episodes.count == 20)
        #expect(episodes.reduce(0) { $0 + $1.queries.count } == 400)
        var alphabetsSeen = [String: Int]()
        for e in episodes {
            #expect(e.support.count == 20 && e.support.allSatisfy { $0.count == 1 })
            let supportCharacters = e.support.map { evaluation.labels[$0[0]] }
            #expect(Set(supportCharacters).count == 20)
            // Query i is character i drawn by the other drawer; every support image has one drawer.
            #expect(e.queries.map { evaluation.labels[$0] } == supportCharacters)
            let supportDrawers = Set(e.support.map { evaluation.drawings[$0[0]] })
            let queryDrawers = Set(e.queries.map { evaluation.drawings[$0] })
            #expect(supportDrawers.count == 1 && queryDrawers.count == 1 && supportDrawers != queryDrawers)
            let alphabet = evaluation.characters[supportCharacters[0]].alphabet
            #expect(supportCharacters.allSatisfy { evaluation.characters[$0].alphabet == alphabet })
            alphabetsSeen[alphabet, default: 0] += 1
        }
        #expect(Set(alphabetsSeen.keys) == Set(KochProtocol.alphabets) && alphabetsSeen.values.allSatisfy { $0 == 2 })
        // A dataset without those alphabets (a user's folder) has no such protocol.
        let other = evaluation.subset(characters: Array(0..<30))
        #expect(KochProtocol.episodes(other, generator: &g) == nil)
    }
}
