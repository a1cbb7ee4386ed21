import Foundation
import GlyphRandom
import Testing
@testable import GlyphData

@Suite("splits and samplers")
struct SamplerTests {
    @Test(.needsOmniglot) func seedSplitIsDisjointSeededAndSized() throws {
        let (bg, ev) = try TestData.npz()
        let s = makeSplits(background: bg, evaluation: ev, scheme: .courseReport, seed: 7)
        #expect(s.validation.characters.count == 193 && s.train.characters.count == 771)
        #expect(s.test.characters.count == 659)
        let trainIds = Set(s.train.characters.map(\.id)), validationIds = Set(s.validation.characters.map(\.id))
        #expect(trainIds.isDisjoint(with: validationIds) && trainIds.union(validationIds).count == 964)
        #expect(s.train.imageCount == 771 * 20)
        let again = makeSplits(background: bg, evaluation: ev, scheme: .courseReport, seed: 7)
        #expect(again.validation.characters == s.validation.characters)
        let other = makeSplits(background: bg, evaluation: ev, scheme: .courseReport, seed: 8)
        #expect(other.validation.characters != s.validation.characters)
    }

    @Test(.needsOmniglot) func kochSplitSeparatesDrawersAndAlphabets() throws {
        let (bg, ev) = try TestData.npz()
        let s = makeSplits(background: bg, evaluation: ev, scheme: .koch, seed: 1)
        #expect(s.train.characters.count == 964 && Set(s.train.drawings) == Set(0..<12))
        #expect(Set(s.validation.drawings) == Set(12..<16) && Set(s.test.drawings) == Set(16..<20))
        #expect(Set(s.validation.alphabets).isDisjoint(with: Set(s.test.alphabets)))
        #expect(s.validation.alphabets.count == 10 && s.test.alphabets.count == 10)
        #expect(s.validation.characters.count + s.test.characters.count == 659)
    }

    @Test func pairsAreBalancedDeterministicAndValid() {
        let ds = syntheticDataset(characters: 30, alphabets: 3, drawings: 5)
        for source in NegativeSource.allCases {
            let sampler = PairSampler(dataset: ds, negatives: source)
            var g1 = SeededGenerator(seed: 42), g2 = SeededGenerator(seed: 42), g3 = SeededGenerator(seed: 43)
            let a = sampler.pairs(count: 1000, generator: &g1)
            #expect(a == sampler.pairs(count: 1000, generator: &g2))
            #expect(a != sampler.pairs(count: 1000, generator: &g3))
            #expect(a.filter(\.isSame).count == 500)
            for p in a {
                let (c1, c2) = (ds.labels[p.first], ds.labels[p.second])
                #expect(p.first >= 0 && p.first < ds.imageCount && p.second >= 0 && p.second < ds.imageCount)
                if p.isSame {
                    #expect(c1 == c2 && p.first != p.second)
                } else {
                    #expect(c1 != c2)
                    if source == .sameAlphabet { #expect(ds.characters[c1].alphabet == ds.characters[c2].alphabet) }
                }
            }
            // Every character shows up: draws are not stuck on a few.
            #expect(Set(a.map { ds.labels[$0.first] }).count == 30)
        }
        // Too small a dataset gives no pairs rather than a crash.
        var g = SeededGenerator(seed: 1)
        #expect(PairSampler(dataset: syntheticDataset(characters: 1, alphabets: 1, drawings: 3)).pairs(count: 4, generator: &g).isEmpty)
    }

    @Test(.needsOmniglot) func pairsStayInsideTheirSplit() throws {
        let (bg, ev) = try TestData.npz()
        let s = makeSplits(background: bg, evaluation: ev, scheme: .courseReport, seed: 3)
        let validationIds = Set(s.validation.characters.map(\.id))
        var g = SeededGenerator(seed: 5)
        let pairs = PairSampler(dataset: s.train, negatives: .sameAlphabet).pairs(count: 2000, generator: &g)
        for p in pairs {
            #expect(!validationIds.contains(s.train.characters[s.train.labels[p.first]].id))
            #expect(!validationIds.contains(s.train.characters[s.train.labels[p.second]].id))
        }
        let episodes = EpisodeSampler(dataset: s.validation, ways: 5, shots: 1, withinAlphabet: true).episodes(count: 50, generator: &g)
        #expect(episodes.count == 50)
        for e in episodes {
            for i in e.support.flatMap({ $0 }) + e.queries {
                #expect(validationIds.contains(s.validation.characters[s.validation.labels[i]].id))
            }
        }
    }

    @Test func tripletsAndClassBatches() {
        let ds = syntheticDataset(characters: 20, alphabets: 4, drawings: 6)
        var g = SeededGenerator(seed: 9), h = SeededGenerator(seed: 9)
        let sampler = TripletSampler(dataset: ds, negatives: .sameAlphabet)
        let t = sampler.triplets(count: 300, generator: &g)
        #expect(t.count == 300)
        #expect(t.map { [$0.anchor, $0.positive, $0.negative] } == sampler.triplets(count: 300, generator: &h).map { [$0.anchor, $0.positive, $0.negative] })
        for x in t {
            #expect(ds.labels[x.anchor] == ds.labels[x.positive] && x.anchor != x.positive)
            #expect(ds.labels[x.anchor] != ds.labels[x.negative])
            #expect(ds.characters[ds.labels[x.anchor]].alphabet == ds.characters[ds.labels[x.negative]].alphabet)
        }
        let batches = ClassBatchSampler(dataset: ds, charactersPerBatch: 6, imagesPerCharacter: 4).epoch(generator: &g)
        #expect(batches.count == 3)  // 20 characters / 6 per batch, the rest dropped
        var seen = Set<Int>()
        for b in batches {
            #expect(b.count == 24)
            #expect(Set(b).count == 24)
            for p in 0..<6 {
                let chars = Set(b[(p * 4)..<(p * 4 + 4)].map { ds.labels[$0] })
                #expect(chars.count == 1)
                #expect(seen.insert(chars.first!).inserted)  // each character once per epoch
            }
        }
    }

    @Test func episodesWithinAndAcrossAlphabets() throws {
        let ds = syntheticDataset(characters: 40, alphabets: 4, drawings: 6)
        for within in [true, false] {
            let sampler = EpisodeSampler(dataset: ds, ways: 5, shots: 2, queriesPerClass: 3, withinAlphabet: within)
            try sampler.check()
            var g = SeededGenerator(seed: 11), h = SeededGenerator(seed: 11)
            let eps = sampler.episodes(count: 200, generator: &g)
            #expect(eps == sampler.episodes(count: 200, generator: &h))
            var crossed = false
            for e in eps {
                #expect(e.support.count == 5 && e.support.allSatisfy { $0.count == 2 })
                #expect(e.queries.count == 15 && e.queryClass.count == 15)
                let classChars = e.support.map { Set($0.map { ds.labels[$0] }) }
                #expect(classChars.allSatisfy { $0.count == 1 })
                #expect(Set(classChars.map { $0.first! }).count == 5)
                for (q, c) in zip(e.queries, e.queryClass) {
                    #expect(ds.labels[q] == classChars[c].first!)
                    #expect(!e.support[c].contains(q))
                }
                let alphabets = Set(classChars.map { ds.characters[$0.first!].alphabet })
                if within { #expect(alphabets.count == 1) } else if alphabets.count > 1 { crossed = true }
            }
            if !within { #expect(crossed) }
        }
        let impossible = EpisodeSampler(dataset: ds, ways: 20, shots: 1, withinAlphabet: true)
        #expect(throws: DataError.self) { try impossible.check() }
        var g = SeededGenerator(seed: 1)
        #expect(impossible.episodes(count: 3, generator: &g).isEmpty)
    }
}

@Test func alphabetGroupedBatchesHoldFewAlphabets() throws {
    // 6 alphabets x 8 characters x 4 drawings; batches of 8 characters.
    var characters = [CharacterInfo]()
    var labels = [Int](), drawings = [Int](), sources = [String]()
    for a in 0..<6 {
        for c in 0..<8 {
            characters.append(CharacterInfo(id: a * 8 + c + 1, alphabet: "A\(a)", set: .user, name: "A\(a)/\(c)"))
            for d in 0..<4 { labels.append(a * 8 + c); drawings.append(d); sources.append("x") }
        }
    }
    let dataset = GlyphDataset(side: 2, characters: characters, ink: [UInt8](repeating: 0, count: labels.count * 4),
                               labels: labels, drawings: drawings, sources: sources)
    var g1 = SeededGenerator(seed: 3), g2 = SeededGenerator(seed: 3)
    let grouped = ClassBatchSampler(dataset: dataset, charactersPerBatch: 8, imagesPerCharacter: 2, groupByAlphabet: true)
    let batches = grouped.epoch(generator: &g1)
    #expect(batches.count == 6)
    for batch in batches {
        let alphabets = Set(batch.map { characters[labels[$0]].alphabet })
        #expect(alphabets.count == 1)
        #expect(batch.count == 16)
    }
    #expect(batches == grouped.epoch(generator: &g2))
    // Every character appears once per epoch.
    #expect(Set(batches.flatMap { $0.map { labels[$0] } }).count == 48)
}
