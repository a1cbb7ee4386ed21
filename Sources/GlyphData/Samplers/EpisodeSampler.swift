import GlyphRandom

/// One N-way k-shot task: `support[c]` holds k images of class c; each query is an image of
/// class `queryClass[i]` (0 ..< N) not in the support.
public struct Episode: Sendable, Equatable {
    public var support: [[Int]]
    public var queries: [Int]
    public var queryClass: [Int]

    public init(support: [[Int]], queries: [Int], queryClass: [Int]) {
        self.support = support
        self.queries = queries
        self.queryClass = queryClass
    }
}

/// N-way k-shot episodes over one dataset, classes drawn within one alphabet (as Omniglot's
/// official one-shot runs) or across alphabets. Only characters with at least
/// `shots + queriesPerClass` drawings take part.
public struct EpisodeSampler: Sendable {
    public let ways: Int
    public let shots: Int
    public let queriesPerClass: Int
    public let withinAlphabet: Bool
    let imagesOfCharacter: [[Int]]
    /// Groups of eligible characters to draw the N classes from: one per alphabet that has at
    /// least N of them, or a single group of all of them.
    let groups: [[Int]]

    public init(dataset: GlyphDataset, ways: Int, shots: Int, queriesPerClass: Int = 1, withinAlphabet: Bool) {
        self.ways = ways
        self.shots = shots
        self.queriesPerClass = queriesPerClass
        self.withinAlphabet = withinAlphabet
        imagesOfCharacter = dataset.imagesOfCharacter
        let needed = shots + queriesPerClass
        let eligible = dataset.imagesOfCharacter.indices.filter { dataset.imagesOfCharacter[$0].count >= needed }
        if withinAlphabet {
            var byAlphabet = [String: [Int]](), order = [String]()
            for c in eligible {
                let a = dataset.characters[c].alphabet
                if byAlphabet[a] == nil { order.append(a) }
                byAlphabet[a, default: []].append(c)
            }
            groups = order.compactMap { byAlphabet[$0]!.count >= ways ? byAlphabet[$0]! : nil }
        } else {
            groups = eligible.count >= ways ? [eligible] : []
        }
    }

    /// Whether the dataset can give such an episode at all.
    public var isFeasible: Bool { ways >= 1 && shots >= 1 && queriesPerClass >= 0 && !groups.isEmpty }

    /// Throws `DataError.invalidArgument` saying why no episode can be drawn.
    public func check() throws {
        guard !isFeasible else { return }
        let scope = withinAlphabet ? "no alphabet has" : "the dataset does not have"
        throw DataError.invalidArgument(
            "cannot draw \(ways)-way \(shots)-shot episodes with \(queriesPerClass) queries per class: \(scope) " +
            "\(ways) characters with \(shots + queriesPerClass) drawings each")
    }

    /// `count` episodes; `[]` when infeasible (see `check()`).
    public func episodes(count: Int, generator g: inout SeededGenerator) -> [Episode] {
        guard isFeasible, count > 0 else { return [] }
        var out = [Episode]()
        out.reserveCapacity(count)
        for _ in 0..<count {
            var pool = groups[g.nextInt(below: groups.count)]
            pool.shuffle(using: &g)
            var support = [[Int]](), queries = [Int](), queryClass = [Int]()
            for (k, c) in pool.prefix(ways).enumerated() {
                var images = imagesOfCharacter[c]
                images.shuffle(using: &g)
                support.append(Array(images.prefix(shots)))
                for q in images[shots..<(shots + queriesPerClass)] {
                    queries.append(q)
                    queryClass.append(k)
                }
            }
            out.append(Episode(support: support, queries: queries, queryClass: queryClass))
        }
        return out
    }
}
