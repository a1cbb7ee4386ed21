import GlyphData
import GlyphRandom

/// Koch, Zemel and Salakhutdinov's (2015) one-shot protocol, so that their 92.0% compares like
/// for like: 20-way within-alphabet one-shot trials on the ten evaluation alphabets of Lake et
/// al.'s official runs. Each trial set takes one alphabet, 20 of its characters and two drawers:
/// the first drawer's 20 images are the support, each of the second drawer's 20 images is one
/// trial. Two sets per alphabet give 10 x 2 x 20 = 400 trials per evaluation seed.
public enum KochProtocol {
    public static let key = "20way_1shot_koch"
    public static let alphabets = ["Atlantean", "Ge_ez", "Glagolitic", "Gurmukhi", "Kannada", "Malayalam", "Manipuri",
                                   "Old_Church_Slavonic_(Cyrillic)", "Tengwar", "Tibetan"]
    public static let ways = 20
    public static let setsPerAlphabet = 2

    /// The protocol's episodes over `test`, or nil when `test` does not hold every one of the ten
    /// alphabets with 20 characters drawn by at least two common drawers (a user's folder, or
    /// Koch's own split, which keeps only four drawers of half the alphabets).
    public static func episodes(_ test: GlyphDataset, generator: inout SeededGenerator) -> [Episode]? {
        var episodes = [Episode]()
        for alphabet in alphabets {
            let characters = test.characters.indices.filter { test.characters[$0].alphabet == alphabet }
            guard characters.count >= ways else { return nil }
            // image of (character, drawer); drawers every chosen character has.
            var imageOf = [Int: [Int: Int]]()
            for c in characters { for i in test.imagesOfCharacter[c] { imageOf[c, default: [:]][test.drawings[i]] = i } }
            for _ in 0..<setsPerAlphabet {
                var pool = characters
                pool.shuffle(using: &generator)
                let chosen = Array(pool.prefix(ways))
                let common = chosen.dropFirst().reduce(Set(imageOf[chosen[0]]!.keys)) { $0.intersection(imageOf[$1]!.keys) }
                guard common.count >= 2 else { return nil }
                var drawers = common.sorted()
                drawers.shuffle(using: &generator)
                let (first, second) = (drawers[0], drawers[1])
                episodes.append(Episode(support: chosen.map { [imageOf[$0]![first]!] },
                                        queries: chosen.map { imageOf[$0]![second]! },
                                        queryClass: Array(0..<ways)))
            }
        }
        return episodes
    }
}
