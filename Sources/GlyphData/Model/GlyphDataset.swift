/// Which half of Omniglot a character comes from.
public enum OmniglotSet: String, Sendable, Codable, CaseIterable {
    /// 30 alphabets, 964 characters (ids 1...964): the usual training split.
    case background
    /// 20 alphabets, 659 characters (ids 965...1623): the usual test split.
    case evaluation
    /// A user's own images, not Omniglot.
    case user
}

/// What is known about one character (one class of glyphs).
public struct CharacterInfo: Sendable, Equatable, Codable {
    /// Omniglot's global character id (1...1623); for a user's folder, 1-based order of the class folders.
    public var id: Int
    /// The alphabet's official name, e.g. `Latin` or `Japanese_(hiragana)`; for a user's folder, its name.
    public var alphabet: String
    public var set: OmniglotSet
    /// Human-readable name, e.g. `Latin/character03` or a user's class folder name.
    public var name: String

    public init(id: Int, alphabet: String, set: OmniglotSet, name: String) {
        self.id = id
        self.alphabet = alphabet
        self.set = set
        self.name = name
    }
}

/// Square glyph images held in memory, each labelled with its character.
///
/// Pixels are stored as ink intensity in one byte (0 = paper, 255 = ink) to keep the whole
/// of Omniglot at 105x105 in about 360 MB; `copyImage(_:into:)` hands them to the engine as
/// floats in [0, 1] (ink = 1.0, paper = 0.0). Image `i` occupies
/// `ink[i * side * side ..< (i + 1) * side * side]`, rows top to bottom.
public struct GlyphDataset: Sendable {
    public let side: Int
    public private(set) var characters: [CharacterInfo]
    public private(set) var ink: [UInt8]
    /// Index into `characters` of each image.
    public private(set) var labels: [Int]
    /// Drawing number (0-based; Omniglot's drawer `KK - 1`) of each image.
    public private(set) var drawings: [Int]
    /// Image indices of each character, in drawing order.
    public private(set) var imagesOfCharacter: [[Int]]
    /// Where each image came from, for error messages and reports (file name or `npz:c/k`).
    public private(set) var sources: [String]

    public init(side: Int, characters: [CharacterInfo], ink: [UInt8], labels: [Int], drawings: [Int], sources: [String]) {
        precondition(side > 0 && ink.count == labels.count * side * side)
        precondition(labels.count == drawings.count && labels.count == sources.count)
        precondition(labels.allSatisfy { $0 >= 0 && $0 < characters.count })
        self.side = side
        self.characters = characters
        self.ink = ink
        self.labels = labels
        self.drawings = drawings
        self.sources = sources
        var groups = [[Int]](repeating: [], count: characters.count)
        for (i, c) in labels.enumerated() { groups[c].append(i) }
        self.imagesOfCharacter = groups
    }

    public var imageCount: Int { labels.count }
    public var pixelsPerImage: Int { side * side }

    /// Writes image `index` as floats in [0, 1] (ink = 1) into `destination[0 ..< side*side]`.
    @inlinable
    public func copyImage(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        let n = side * side
        ink.withUnsafeBufferPointer { p in
            let base = p.baseAddress! + index * n
            for j in 0..<n { destination[j] = Float(base[j]) * (1 / 255) }
        }
    }

    /// The dataset restricted to the given characters (in the given order), with all their images.
    public func subset(characters selected: [Int]) -> GlyphDataset {
        var newInk = [UInt8]()
        var newLabels = [Int](), newDrawings = [Int](), newSources = [String]()
        let n = pixelsPerImage
        newInk.reserveCapacity(selected.reduce(0) { $0 + imagesOfCharacter[$1].count } * n)
        for (newIndex, c) in selected.enumerated() {
            for i in imagesOfCharacter[c] {
                newInk.append(contentsOf: ink[(i * n)..<((i + 1) * n)])
                newLabels.append(newIndex)
                newDrawings.append(drawings[i])
                newSources.append(sources[i])
            }
        }
        return GlyphDataset(side: side, characters: selected.map { characters[$0] }, ink: newInk,
                            labels: newLabels, drawings: newDrawings, sources: newSources)
    }

    /// Joins datasets of the same image size (e.g. background + evaluation).
    public static func merged(_ parts: [GlyphDataset]) -> GlyphDataset {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.side == parts[0].side })
        var characters = [CharacterInfo](), ink = [UInt8](), labels = [Int](), drawings = [Int](), sources = [String]()
        for p in parts {
            let offset = characters.count
            characters += p.characters
            ink += p.ink
            labels += p.labels.map { $0 + offset }
            drawings += p.drawings
            sources += p.sources
        }
        return GlyphDataset(side: parts[0].side, characters: characters, ink: ink, labels: labels,
                            drawings: drawings, sources: sources)
    }

    /// Names of the alphabets present, in order of first appearance.
    public var alphabets: [String] {
        var seen = Set<String>(), order = [String]()
        for c in characters where seen.insert(c.alphabet).inserted { order.append(c.alphabet) }
        return order
    }
}
