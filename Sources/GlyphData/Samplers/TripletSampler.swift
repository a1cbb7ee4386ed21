import GlyphRandom

/// Random triplets for triplet loss: anchor and positive are two different drawings of one
/// character, the negative a drawing of another character (from anywhere or the same alphabet).
public struct TripletSampler: Sendable {
    public let negatives: NegativeSource
    let index: SamplingIndex
    let characters: [Int]

    public init(dataset: GlyphDataset, negatives: NegativeSource = .anywhere) {
        self.negatives = negatives
        self.index = SamplingIndex(dataset)
        self.characters = index.nonEmpty
    }

    public var isFeasible: Bool { !index.pairable.isEmpty && characters.count >= 2 }

    /// Throws `DataError.invalidArgument` saying what the data holds when no triplet can be drawn.
    public func check() throws {
        guard !isFeasible else { return }
        throw DataError.invalidArgument(index.infeasibility(of: "triplets"))
    }

    /// `count` triplets; `[]` when the dataset cannot give one (see `isFeasible`).
    public func triplets(count: Int, generator g: inout SeededGenerator) -> [(anchor: Int, positive: Int, negative: Int)] {
        guard isFeasible, count > 0 else { return [] }
        var out = [(anchor: Int, positive: Int, negative: Int)]()
        out.reserveCapacity(count)
        for _ in 0..<count {
            let c = index.pairable[g.nextInt(below: index.pairable.count)]
            let (a, p) = index.twoImages(of: c, &g)
            let o = index.otherCharacter(than: c, among: characters, source: negatives, &g)
            out.append((a, p, index.anyImage(of: o, &g)))
        }
        return out
    }
}

/// Batches of P characters x K drawings, for online (batch-hard or semi-hard) triplet mining.
/// One epoch visits the characters that have at least K drawings in shuffled order, P per batch
/// (a last batch with fewer than P characters is dropped); each character gives K distinct drawings.
/// Each batch lists its images character by character: `batch[p * K + k]`.
public struct ClassBatchSampler: Sendable {
    public let charactersPerBatch: Int
    public let imagesPerCharacter: Int
    let imagesOfCharacter: [[Int]]
    let eligible: [Int]
    /// Alphabet index of each character, when batches are grouped by alphabet.
    let alphabetOf: [Int]?

    /// With `groupByAlphabet`, each epoch takes the alphabets in a random order and the characters
    /// of each alphabet together, so a batch holds the characters of only a few alphabets: its
    /// negatives are mostly same-alphabet characters, the hard ones within-alphabet one-shot tests.
    public init(dataset: GlyphDataset, charactersPerBatch p: Int, imagesPerCharacter k: Int, groupByAlphabet: Bool = false) {
        charactersPerBatch = max(p, 1)
        imagesPerCharacter = max(k, 1)
        imagesOfCharacter = dataset.imagesOfCharacter
        eligible = dataset.imagesOfCharacter.indices.filter { dataset.imagesOfCharacter[$0].count >= max(k, 1) }
        if groupByAlphabet {
            let names = dataset.alphabets
            let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            alphabetOf = dataset.characters.map { index[$0.alphabet]! }
        } else {
            alphabetOf = nil
        }
    }

    /// Batches per epoch.
    public var batchesPerEpoch: Int { eligible.count / charactersPerBatch }

    /// Throws `DataError.invalidArgument` saying what the data holds and what was asked when
    /// not even one batch can be formed (an epoch would then be empty, and a loop waiting for
    /// batches would never end).
    public func check() throws {
        guard batchesPerEpoch == 0 else { return }
        let most = imagesOfCharacter.map(\.count).max() ?? 0
        if eligible.isEmpty {
            throw DataError.invalidArgument(
                "cannot form batches of \(charactersPerBatch) characters x \(imagesPerCharacter) images: no character has "
                + "\(imagesPerCharacter) images (the data has \(imagesOfCharacter.count) characters with at most \(most) images each); "
                + "lower --images-per-character")
        }
        throw DataError.invalidArgument(
            "cannot form batches of \(charactersPerBatch) characters x \(imagesPerCharacter) images: only \(eligible.count) "
            + "characters have \(imagesPerCharacter) images; lower --batch-size to at most \(eligible.count * imagesPerCharacter)")
    }

    public func epoch(generator g: inout SeededGenerator) -> [[Int]] {
        var order = eligible
        order.shuffle(using: &g)
        if let alphabetOf {
            var alphabetOrder = Array(Set(order.map { alphabetOf[$0] })).sorted()
            alphabetOrder.shuffle(using: &g)
            let rank = Dictionary(uniqueKeysWithValues: alphabetOrder.enumerated().map { ($1, $0) })
            // Stable within an alphabet, so the shuffled character order survives.
            order = order.enumerated().sorted { (rank[alphabetOf[$0.element]]!, $0.offset) < (rank[alphabetOf[$1.element]]!, $1.offset) }
                .map(\.element)
        }
        var batches = [[Int]]()
        batches.reserveCapacity(batchesPerEpoch)
        for b in 0..<batchesPerEpoch {
            var batch = [Int]()
            batch.reserveCapacity(charactersPerBatch * imagesPerCharacter)
            for c in order[(b * charactersPerBatch)..<((b + 1) * charactersPerBatch)] {
                var images = imagesOfCharacter[c]
                images.shuffle(using: &g)
                batch += images.prefix(imagesPerCharacter)
            }
            batches.append(batch)
        }
        return batches
    }
}
