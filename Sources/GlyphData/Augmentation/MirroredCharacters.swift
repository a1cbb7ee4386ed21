/// Class augmentation by mirror images: every character flipped left to right becomes a new
/// character. With the quarter turns (`withRotatedCharacters()`) it completes the eight
/// symmetries of the square, so a training split of C characters holds 8C. A mirrored glyph is,
/// like a turned one, another plausible symbol; the extra classes ask the network to separate
/// more shapes. (Measured on the fast preset at 28x28, 40 epochs: no better than turns alone,
/// so it is off by default; README, Results.)
///
/// Each mirrored alphabet forms its own alphabet (`Latin (mirrored)`), so batches grouped by
/// alphabet never mix a character with its own mirror image.
extension GlyphDataset {
    /// The dataset followed by a mirrored copy of every character, each copy a new character.
    /// Images keep their drawing numbers and sources (with ` mirrored` appended).
    public func withMirroredCharacters() -> GlyphDataset {
        let n = pixelsPerImage
        let offset = characters.count
        var newCharacters = characters
        newCharacters += characters.map {
            CharacterInfo(id: $0.id, alphabet: "\($0.alphabet) (mirrored)", set: $0.set, name: "\($0.name) mirrored")
        }
        var newInk = ink
        newInk.reserveCapacity(ink.count * 2)
        var mirrored = [UInt8](repeating: 0, count: n)
        for i in 0..<imageCount {
            ink.withUnsafeBufferPointer { source in
                mirrored.withUnsafeMutableBufferPointer { destination in
                    Self.mirrorLeftRight(source.baseAddress! + i * n, into: destination.baseAddress!, side: side)
                }
            }
            newInk += mirrored
        }
        return GlyphDataset(side: side, characters: newCharacters, ink: newInk,
                            labels: labels + labels.map { $0 + offset },
                            drawings: drawings + drawings, sources: sources + sources.map { "\($0) mirrored" })
    }

    /// Flips a square image left to right: the pixel at (row r, column c) moves to (r, side-1-c).
    static func mirrorLeftRight(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>, side s: Int) {
        for r in 0..<s {
            for c in 0..<s { destination[r * s + (s - 1 - c)] = source[r * s + c] }
        }
    }
}
