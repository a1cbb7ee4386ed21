import Foundation
import Testing
@testable import GlyphData

/// A user's folder of classes split by class: disjoint, seeded, and refused when it cannot work.
@Suite struct ClassSplitTests {
    /// `classes` classes in `groups` groups; class c has `imagesOf(c)` images.
    func dataset(classes: Int, groups: Int, imagesOf: (Int) -> Int) -> GlyphDataset {
        var labels = [Int](), drawings = [Int]()
        for c in 0..<classes { for k in 0..<imagesOf(c) { labels.append(c); drawings.append(k) } }
        let characters = (0..<classes).map { CharacterInfo(id: $0 + 1, alphabet: "g\($0 % groups)", set: .user, name: "c\($0)") }
        return GlyphDataset(side: 2, characters: characters, ink: [UInt8](repeating: 0, count: labels.count * 4),
                            labels: labels, drawings: drawings, sources: labels.indices.map { "f\($0)" })
    }

    @Test func classesAreNeverInTwoSplitsAndTheSeedFixesTheSplit() throws {
        let data = dataset(classes: 40, groups: 4, imagesOf: { _ in 5 })
        let (a, single) = try ClassSplitPlan(seed: 7).split(data)
        #expect(single.isEmpty)
        let train = Set(a.train.characters.map(\.name)), validation = Set(a.validation.characters.map(\.name))
        let test = Set(a.test.characters.map(\.name))
        #expect(train.isDisjoint(with: validation) && train.isDisjoint(with: test) && validation.isDisjoint(with: test))
        #expect(train.count + validation.count + test.count == 40)
        #expect(validation.count == 6 && test.count == 6)  // 15% of 40, rounded
        #expect(a.train.imageCount == train.count * 5)
        let (b, _) = try ClassSplitPlan(seed: 7).split(data)
        #expect(b.test.characters.map(\.name) == a.test.characters.map(\.name))
        let (c, _) = try ClassSplitPlan(seed: 8).split(data)
        #expect(c.test.characters.map(\.name) != a.test.characters.map(\.name))
        // Groups travel with their classes (same-group negatives, within-group episodes).
        #expect(a.test.characters.allSatisfy { $0.alphabet.hasPrefix("g") })
    }

    @Test func singleImageClassesAreLeftOutAndNamed() throws {
        let data = dataset(classes: 12, groups: 1, imagesOf: { $0 == 3 || $0 == 9 ? 1 : 6 })
        let (splits, single) = try ClassSplitPlan().split(data)
        #expect(single == ["c3", "c9"])
        let all = splits.train.characters + splits.validation.characters + splits.test.characters
        #expect(all.count == 10 && !all.contains { $0.name == "c3" || $0.name == "c9" })
        // Every split keeps at least two classes even when 15% of 10 rounds to 2 or fewer.
        #expect(splits.validation.characters.count >= 2 && splits.test.characters.count >= 2)
    }

    @Test func tooFewClassesOrBadFractionsAreRefusedWithTheReason() {
        let five = dataset(classes: 5, groups: 1, imagesOf: { _ in 4 })
        #expect { try ClassSplitPlan().split(five) } throws: { error in
            "\(error)".contains("5 classes") && "\(error)".contains("at least 2 each")
        }
        let forty = dataset(classes: 40, groups: 2, imagesOf: { _ in 3 })
        #expect { try ClassSplitPlan(validationFraction: 0, testFraction: 0.2).split(forty) } throws: { error in
            "\(error)".contains("validation fraction")
        }
        #expect { try ClassSplitPlan(validationFraction: 0.5, testFraction: 0.5).split(forty) } throws: { error in
            "\(error)".contains("leave classes to train on")
        }
    }
}

/// Omniglot's validation split by whole background alphabets, for choosing recipes.
@Suite struct AlphabetSplitTests {
    @Test(.needsOmniglot) func wholeAlphabetsAreHeldOutSeededAndTheEvaluationSetIsTheTest() throws {
        let (bg, ev) = try TestData.npz()
        let s = makeSplits(background: bg, evaluation: ev, scheme: .alphabets, validationAlphabets: 6, seed: 1)
        #expect(s.validation.alphabets.count == 6 && s.train.alphabets.count == 24)
        #expect(Set(s.validation.alphabets).isDisjoint(with: Set(s.train.alphabets)))
        #expect(s.train.characters.count + s.validation.characters.count == 964)
        #expect(s.test.characters.count == 659)
        let again = makeSplits(background: bg, evaluation: ev, scheme: .alphabets, validationAlphabets: 6, seed: 1)
        #expect(again.validation.alphabets == s.validation.alphabets)
        let other = makeSplits(background: bg, evaluation: ev, scheme: .alphabets, validationAlphabets: 6, seed: 2)
        #expect(Set(other.validation.alphabets) != Set(s.validation.alphabets))
    }
}
