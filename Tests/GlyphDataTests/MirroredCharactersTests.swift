import Testing
@testable import GlyphData

@Suite("mirrored characters (class augmentation)")
struct MirroredCharactersTests {
    /// 1 2 3 -> 3 2 1, row by row.
    @Test func aMirrorFlipsLeftToRight() {
        let image: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        var out = [UInt8](repeating: 0, count: 9)
        image.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { GlyphDataset.mirrorLeftRight(s.baseAddress!, into: $0.baseAddress!, side: 3) }
        }
        #expect(out == [3, 2, 1, 6, 5, 4, 9, 8, 7])
    }

    @Test func everyCharacterGainsAMirroredCopy() {
        let data = patternedSyntheticDataset(characters: 6, alphabets: 2, drawings: 3, side: 5)
        let mirrored = data.withMirroredCharacters()
        #expect(mirrored.characters.count == 12)
        #expect(mirrored.imageCount == 2 * data.imageCount)
        #expect(mirrored.alphabets.count == 4)
        #expect(Array(mirrored.ink.prefix(data.ink.count)) == data.ink)
        let n = data.pixelsPerImage, side = data.side
        for i in [0, 5, data.imageCount - 1] {
            let copy = data.imageCount + i
            for r in 0..<side {
                let row = Array(data.ink[(i * n + r * side)..<(i * n + (r + 1) * side)])
                #expect(Array(mirrored.ink[(copy * n + r * side)..<(copy * n + (r + 1) * side)]) == Array(row.reversed()))
            }
            #expect(mirrored.labels[copy] == data.labels[i] + data.characters.count)
            #expect(mirrored.drawings[copy] == data.drawings[i])
            #expect(mirrored.characters[mirrored.labels[copy]].alphabet == data.characters[data.labels[i]].alphabet + " (mirrored)")
        }
        // With the quarter turns: the eight symmetries of the square, each its own character.
        #expect(data.withRotatedCharacters().withMirroredCharacters().characters.count == 48)
        #expect(mirrored.imagesOfCharacter.allSatisfy { $0.count == 3 })
    }
}
