import GlyphData
import GlyphRandom

/// The course report's verification protocol: for every character, 5 pairs of two different
/// drawings of it and 5 pairs of one of its drawings with a drawing of another character
/// (from anywhere, or only from its own alphabet for the harder variant).
public enum VerificationPairs {
    public static func make(_ dataset: GlyphDataset, perCharacter: Int = 10, negatives: NegativeSource,
                            generator: inout SeededGenerator) -> [LabeledPair] {
        let sameCount = perCharacter / 2
        let characters = dataset.characters.count
        var byAlphabet = [String: [Int]]()
        for (c, info) in dataset.characters.enumerated() where !dataset.imagesOfCharacter[c].isEmpty {
            byAlphabet[info.alphabet, default: []].append(c)
        }
        // Characters a different pair can draw from; with fewer than two there are no different pairs.
        let withImages = dataset.imagesOfCharacter.indices.filter { !dataset.imagesOfCharacter[$0].isEmpty }
        var pairs = [LabeledPair]()
        pairs.reserveCapacity(characters * perCharacter)
        for c in 0..<characters {
            let images = dataset.imagesOfCharacter[c]
            guard images.count >= 2 else { continue }
            for _ in 0..<sameCount {
                let i = generator.nextInt(below: images.count)
                var j = generator.nextInt(below: images.count - 1)
                if j >= i { j += 1 }
                pairs.append(LabeledPair(first: images[i], second: images[j], isSame: true))
            }
            let pool: [Int]
            switch negatives {
            case .anywhere: pool = []
            case .sameAlphabet: pool = byAlphabet[dataset.characters[c].alphabet, default: []].filter { $0 != c }
            }
            let others = withImages.filter { $0 != c }
            guard !others.isEmpty else { continue }
            for _ in 0..<(perCharacter - sameCount) {
                let other: Int
                if negatives == .sameAlphabet && !pool.isEmpty {
                    other = pool[generator.nextInt(below: pool.count)]
                } else {
                    other = others[generator.nextInt(below: others.count)]
                }
                let otherImages = dataset.imagesOfCharacter[other]
                pairs.append(LabeledPair(first: images[generator.nextInt(below: images.count)],
                                         second: otherImages[generator.nextInt(below: otherImages.count)], isSame: false))
            }
        }
        return pairs
    }
}
