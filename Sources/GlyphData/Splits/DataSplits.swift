import GlyphRandom

/// Train, validation and test sets, disjoint in what each scheme promises to keep apart.
public struct DataSplits: Sendable {
    public var train: GlyphDataset
    public var validation: GlyphDataset
    public var test: GlyphDataset

    public init(train: GlyphDataset, validation: GlyphDataset, test: GlyphDataset) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}

/// How Omniglot is cut into train, validation and test.
public enum SplitScheme: String, Sendable, Codable, CaseIterable {
    /// As the course report did: train = the background set minus a seeded `validationFraction`
    /// of its characters, validation = those characters, test = the evaluation set. All 20
    /// drawings of each character. No character is in two splits. Written `course-report`;
    /// `seed`, its name before, is still read (`init(name:)`).
    case courseReport = "course-report"
    /// Koch et al. (2015): training on the background set's characters with drawers 1-12; the
    /// evaluation set's alphabets cut in two halves (first 10 alphabets in id order, last 10),
    /// validation = first half with drawers 13-16, test = second half with drawers 17-20.
    /// No character, alphabet or drawer is in two splits. `validationFraction` is not used.
    case koch
    /// For choosing recipes without touching the evaluation set: validation = `validationAlphabets`
    /// whole background alphabets (seeded), so within-alphabet episodes can be drawn from it;
    /// train = the other background alphabets; test = the evaluation set, scored once per final recipe.
    case alphabets
}

extension SplitScheme {
    /// The scheme a name stands for: its raw value, or `seed`, what `courseReport` was called in
    /// run folders written before (the word collided with the random seed).
    public init?(name: String) {
        if name == "seed" { self = .courseReport } else if let scheme = SplitScheme(rawValue: name) { self = scheme } else { return nil }
    }

    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let scheme = SplitScheme(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "unknown splits '\(name)': expected " + SplitScheme.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        self = scheme
    }
}

/// Cuts the two Omniglot sets into splits; the same seed gives the same splits.
public func makeSplits(background: GlyphDataset, evaluation: GlyphDataset, scheme: SplitScheme,
                       validationFraction: Double = 0.2, validationAlphabets: Int = 6, seed: UInt64) -> DataSplits {
    switch scheme {
    case .alphabets:
        var generator = SeededGenerator(seed: seed).derived(0xA1FA)
        var names = background.alphabets
        names.shuffle(using: &generator)
        let held = Set(names.prefix(min(max(validationAlphabets, 1), max(names.count - 1, 1))))
        let all = Array(0..<background.characters.count)
        return DataSplits(train: background.subset(characters: all.filter { !held.contains(background.characters[$0].alphabet) }),
                          validation: background.subset(characters: all.filter { held.contains(background.characters[$0].alphabet) }),
                          test: evaluation)
    case .courseReport:
        var generator = SeededGenerator(seed: seed)
        var order = Array(0..<background.characters.count)
        order.shuffle(using: &generator)
        let fraction = min(max(validationFraction, 0), 1)
        let validationCount = Int((Double(order.count) * fraction).rounded())
        let validation = order.prefix(validationCount).sorted()
        let train = order.dropFirst(validationCount).sorted()
        return DataSplits(train: background.subset(characters: train),
                          validation: background.subset(characters: validation),
                          test: evaluation)
    case .koch:
        let alphabets = evaluation.alphabets
        let firstHalf = Set(alphabets.prefix(alphabets.count / 2))
        let all = Array(0..<evaluation.characters.count)
        let validationCharacters = all.filter { firstHalf.contains(evaluation.characters[$0].alphabet) }
        let testCharacters = all.filter { !firstHalf.contains(evaluation.characters[$0].alphabet) }
        return DataSplits(train: background.subset(characters: Array(0..<background.characters.count), drawings: 0..<12),
                          validation: evaluation.subset(characters: validationCharacters, drawings: 12..<16),
                          test: evaluation.subset(characters: testCharacters, drawings: 16..<20))
    }
}

extension GlyphDataset {
    /// The given characters (in that order) with only the drawings whose number is in `drawings`
    /// (0-based: Omniglot's drawer `KK - 1`).
    public func subset(characters selected: [Int], drawings kept: Range<Int>) -> GlyphDataset {
        var newInk = [UInt8](), newLabels = [Int](), newDrawings = [Int](), newSources = [String]()
        let n = pixelsPerImage
        for (newIndex, c) in selected.enumerated() {
            for i in imagesOfCharacter[c] where kept.contains(drawings[i]) {
                newInk.append(contentsOf: ink[(i * n)..<((i + 1) * n)])
                newLabels.append(newIndex)
                newDrawings.append(drawings[i])
                newSources.append(sources[i])
            }
        }
        return GlyphDataset(side: side, characters: selected.map { characters[$0] }, ink: newInk,
                            labels: newLabels, drawings: newDrawings, sources: newSources)
    }
}
