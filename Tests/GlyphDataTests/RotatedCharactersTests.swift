import Testing
@testable import GlyphData

@Suite("rotated characters (class augmentation)")
struct RotatedCharactersTests {
    /// A 3x3 image with distinct pixels, turned a quarter clockwise, as drawn by hand:
    ///   1 2 3      7 4 1
    ///   4 5 6  ->  8 5 2
    ///   7 8 9      9 6 3
    @Test func aQuarterTurnIsClockwise() {
        let image: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        func turn(_ turns: Int) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 9)
            image.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { GlyphDataset.rotateClockwise(s.baseAddress!, into: $0.baseAddress!, side: 3, turns: turns) }
            }
            return out
        }
        #expect(turn(1) == [7, 4, 1, 8, 5, 2, 9, 6, 3])
        #expect(turn(2) == [9, 8, 7, 6, 5, 4, 3, 2, 1])
        #expect(turn(3) == [3, 6, 9, 2, 5, 8, 1, 4, 7])
        #expect(turn(4) == image)
    }

    @Test func everyCharacterGainsThreeTurnedCopies() {
        let data = patternedSyntheticDataset(characters: 6, alphabets: 2, drawings: 3, side: 5)
        let rotated = data.withRotatedCharacters()
        #expect(rotated.characters.count == 24)
        #expect(rotated.imageCount == 4 * data.imageCount)
        #expect(rotated.alphabets.count == 8)
        // The first part is the original dataset, unchanged.
        #expect(Array(rotated.ink.prefix(data.ink.count)) == data.ink)
        #expect(Array(rotated.labels.prefix(data.imageCount)) == data.labels)
        // Image i's 180-degree copy is its pixels reversed, labelled as the matching new character.
        let n = data.pixelsPerImage
        for i in [0, 7, data.imageCount - 1] {
            let copy = 2 * data.imageCount + i
            #expect(Array(rotated.ink[(copy * n)..<((copy + 1) * n)]) == Array(data.ink[(i * n)..<((i + 1) * n)].reversed()))
            #expect(rotated.labels[copy] == data.labels[i] + 2 * data.characters.count)
            #expect(rotated.drawings[copy] == data.drawings[i])
            #expect(rotated.characters[rotated.labels[copy]].alphabet == data.characters[data.labels[i]].alphabet + " (rotated 180)")
        }
        #expect(rotated.imagesOfCharacter.allSatisfy { $0.count == 3 })
    }
}
