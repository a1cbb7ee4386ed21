import GlyphRandom

/// Two images and whether they show the same character.
public struct LabeledPair: Sendable, Equatable, Hashable {
    public var first: Int
    public var second: Int
    public var isSame: Bool

    public init(first: Int, second: Int, isSame: Bool) {
        self.first = first
        self.second = second
        self.isSame = isSame
    }
}

/// Where the other character of a different-character pair (or a triplet's negative) comes from.
public enum NegativeSource: String, Sendable, Codable, CaseIterable {
    /// Any other character of the dataset.
    case anywhere
    /// Another character of the same alphabet: harder, the characters look alike. Falls back to
    /// anywhere for an alphabet with a single character.
    case sameAlphabet
}

/// Indices the samplers share: characters that can give two distinct drawings, and the
/// characters of each alphabet.
struct SamplingIndex: Sendable {
    let imagesOfCharacter: [[Int]]
    /// Characters with at least two images.
    let pairable: [Int]
    /// For each character, the other characters of its alphabet.
    let alphabetSiblings: [[Int]]

    init(_ dataset: GlyphDataset) {
        imagesOfCharacter = dataset.imagesOfCharacter
        pairable = dataset.imagesOfCharacter.indices.filter { dataset.imagesOfCharacter[$0].count >= 2 }
        var byAlphabet = [String: [Int]]()
        for (c, info) in dataset.characters.enumerated() where !dataset.imagesOfCharacter[c].isEmpty {
            byAlphabet[info.alphabet, default: []].append(c)
        }
        alphabetSiblings = dataset.characters.enumerated().map { c, info in
            (byAlphabet[info.alphabet] ?? []).filter { $0 != c }
        }
    }

    var nonEmpty: [Int] { imagesOfCharacter.indices.filter { !imagesOfCharacter[$0].isEmpty } }

    /// Why same- and different-character samples cannot be drawn, with what the data holds.
    func infeasibility(of what: String) -> String {
        "cannot draw \(what): they need a character with 2 images and 2 characters with images; the data has "
            + "\(nonEmpty.count) characters with images, \(pairable.count) of them with 2 or more"
    }

    /// Two different images of character `c` (which must have at least two).
    func twoImages(of c: Int, _ g: inout SeededGenerator) -> (Int, Int) {
        let images = imagesOfCharacter[c]
        let a = g.nextInt(below: images.count)
        var b = g.nextInt(below: images.count - 1)
        if b >= a { b += 1 }
        return (images[a], images[b])
    }

    func anyImage(of c: Int, _ g: inout SeededGenerator) -> Int {
        let images = imagesOfCharacter[c]
        return images[g.nextInt(below: images.count)]
    }

    /// A character other than `c`, from its alphabet or from anywhere.
    func otherCharacter(than c: Int, among candidates: [Int], source: NegativeSource, _ g: inout SeededGenerator) -> Int {
        if source == .sameAlphabet, !alphabetSiblings[c].isEmpty {
            let s = alphabetSiblings[c]
            return s[g.nextInt(below: s.count)]
        }
        // candidates holds c and at least one other character: draw from the others.
        while true {
            let o = candidates[g.nextInt(below: candidates.count)]
            if o != c { return o }
        }
    }
}

/// Balanced pairs for contrastive training: exactly half same-character pairs (two different
/// drawings of one character), half different-character pairs, alternating same, different, ...
/// The characters of each pair are drawn uniformly from the dataset, so pairs never leave it
/// (and so never cross the split the dataset is).
public struct PairSampler: Sendable {
    public let negatives: NegativeSource
    let index: SamplingIndex
    let characters: [Int]

    public init(dataset: GlyphDataset, negatives: NegativeSource = .anywhere) {
        self.negatives = negatives
        self.index = SamplingIndex(dataset)
        self.characters = index.nonEmpty
    }

    /// Whether the dataset can give both kinds of pair (a character with two drawings, two characters).
    public var isFeasible: Bool { !index.pairable.isEmpty && characters.count >= 2 }

    /// Throws `DataError.invalidArgument` saying what the data holds when pairs cannot be drawn.
    public func check() throws {
        guard !isFeasible else { return }
        throw DataError.invalidArgument(index.infeasibility(of: "pairs"))
    }

    /// `count` pairs; `[]` when the dataset cannot give both kinds (see `isFeasible`).
    public func pairs(count: Int, generator g: inout SeededGenerator) -> [LabeledPair] {
        guard isFeasible, count > 0 else { return [] }
        var out = [LabeledPair]()
        out.reserveCapacity(count)
        for i in 0..<count {
            if i % 2 == 0 {
                let c = index.pairable[g.nextInt(below: index.pairable.count)]
                let (a, b) = index.twoImages(of: c, &g)
                out.append(LabeledPair(first: a, second: b, isSame: true))
            } else {
                let c = characters[g.nextInt(below: characters.count)]
                let o = index.otherCharacter(than: c, among: characters, source: negatives, &g)
                out.append(LabeledPair(first: index.anyImage(of: c, &g), second: index.anyImage(of: o, &g), isSame: false))
            }
        }
        return out
    }
}
