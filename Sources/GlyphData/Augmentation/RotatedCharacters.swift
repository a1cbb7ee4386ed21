/// Class augmentation by quarter turns (Santoro et al. 2016; Vinyals et al. 2016; Snell et al. 2017):
/// every character turned by 90, 180 and 270 degrees becomes a new character, so a training split
/// of C characters holds 4C. A glyph turned a quarter is, for a network, another plausible
/// symbol drawn by the same people; the extra classes teach features that separate many more
/// shapes, which is what one-shot tests on unseen characters ask for.
///
/// Each turn of an alphabet forms its own alphabet (`Latin` turned 90 degrees is
/// `Latin (rotated 90)`), so batches grouped by alphabet hold characters of one orientation.
extension GlyphDataset {
    /// Quarter turns clockwise (as displayed) of each added copy.
    public static let classRotationTurns = [1, 2, 3]

    /// The dataset followed by three copies of every character, turned 90, 180 and 270 degrees
    /// clockwise, each copy a new character. Images keep their drawing numbers and sources
    /// (with the turn appended, e.g. `npz:3/7 rotated 90`).
    public func withRotatedCharacters() -> GlyphDataset {
        var newCharacters = characters
        var newInk = ink
        var newLabels = labels, newDrawings = drawings, newSources = sources
        let n = pixelsPerImage
        newInk.reserveCapacity(ink.count * 4)
        var turned = [UInt8](repeating: 0, count: n)
        for turns in Self.classRotationTurns {
            let degrees = turns * 90
            let offset = newCharacters.count
            newCharacters += characters.map {
                CharacterInfo(id: $0.id, alphabet: "\($0.alphabet) (rotated \(degrees))", set: $0.set,
                              name: "\($0.name) rotated \(degrees)")
            }
            for i in 0..<imageCount {
                ink.withUnsafeBufferPointer { source in
                    turned.withUnsafeMutableBufferPointer { destination in
                        Self.rotateClockwise(source.baseAddress! + i * n, into: destination.baseAddress!, side: side, turns: turns)
                    }
                }
                newInk += turned
                newLabels.append(labels[i] + offset)
                newDrawings.append(drawings[i])
                newSources.append("\(sources[i]) rotated \(degrees)")
            }
        }
        return GlyphDataset(side: side, characters: newCharacters, ink: newInk, labels: newLabels,
                            drawings: newDrawings, sources: newSources)
    }

    /// Turns a square image by `turns` quarter turns clockwise (as displayed, rows top to bottom).
    /// One clockwise quarter turn moves the pixel at (row r, column c) to (row c, column side-1-r).
    static func rotateClockwise(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>,
                                side s: Int, turns: Int) {
        for r in 0..<s {
            for c in 0..<s {
                let (row, column): (Int, Int)
                switch ((turns % 4) + 4) % 4 {
                case 0: (row, column) = (r, c)
                case 1: (row, column) = (c, s - 1 - r)
                case 2: (row, column) = (s - 1 - r, s - 1 - c)
                default: (row, column) = (s - 1 - c, r)
                }
                destination[row * s + column] = source[r * s + c]
            }
        }
    }
}
