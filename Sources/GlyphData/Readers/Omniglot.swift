import Foundation

/// Loads Omniglot, from whichever official form a data folder holds, into one `GlyphDataset`
/// at 105x105 with ink = 255 (1.0) and paper = 0. Characters come in official id order.
public enum Omniglot {
    /// Side of every Omniglot drawing.
    public static let side = 105

    /// One set from a data folder holding, in order of preference, `images_<set>.npz`, the
    /// official `images_<set>.zip`, or its extracted folder `images_<set>/`.
    public static func load(_ set: OmniglotSet, from folder: URL) throws -> GlyphDataset {
        guard set != .user else { throw DataError.invalidArgument("Omniglot has no set named 'user'") }
        let fm = FileManager.default
        let npz = folder.appendingPathComponent("images_\(set.rawValue).npz")
        if fm.fileExists(atPath: npz.path) { return try loadNPZ(npz, set: set) }
        let zip = folder.appendingPathComponent("images_\(set.rawValue).zip")
        if fm.fileExists(atPath: zip.path) { return try loadOfficial(zip) }
        let dir = folder.appendingPathComponent("images_\(set.rawValue)")
        if fm.fileExists(atPath: dir.path) { return try loadOfficial(dir) }
        throw DataError.notFound(DataLocation.missingDataMessage(folder: folder, set: set))
    }

    /// Both sets, background then evaluation.
    public static func loadBoth(from folder: URL) throws -> (background: GlyphDataset, evaluation: GlyphDataset) {
        (try load(.background, from: folder), try load(.evaluation, from: folder))
    }

    // MARK: - npz

    /// A set from its npz repacking: `images` (`|b1`, `[characters, 20, 105, 105]`, true = paper)
    /// and `labels` (`<i8`, `[characters, 20]`, `labels[c][k] == c`). Character `c` is official id
    /// `c + 1` (background) or `c + 965` (evaluation); its alphabet comes from `Alphabets`.
    public static func loadNPZ(_ url: URL, set: OmniglotSet) throws -> GlyphDataset {
        guard set != .user else { throw DataError.invalidArgument("\(url.path): an Omniglot npz is background or evaluation") }
        let expected = set == .background ? Alphabets.backgroundCount : Alphabets.evaluationCount
        let firstId = set == .background ? 1 : Alphabets.backgroundCount + 1
        let zip = try ZipSource(url: url)
        let imagesName = "\(url.path):images.npy", labelsName = "\(url.path):labels.npy"
        guard zip.entry(named: "images.npy") != nil else { throw DataError.corruptNPY(file: imagesName, reason: "missing from the npz") }
        guard zip.entry(named: "labels.npy") != nil else { throw DataError.corruptNPY(file: labelsName, reason: "missing from the npz") }

        // Labels first: small, and they confirm the character order.
        let labels = try NPYReader.readInt64(try zip.read("labels.npy"), file: labelsName)
        guard labels.shape.count == 2, labels.shape[0] == expected, labels.shape[1] > 0 else {
            throw DataError.corruptNPY(file: labelsName, reason: "shape \(labels.shape), expected [\(expected), drawings]")
        }
        let drawingsPerCharacter = labels.shape[1]
        for (i, label) in labels.values.enumerated() where label != Int64(i / drawingsPerCharacter) {
            throw DataError.corruptNPY(file: labelsName, reason: "label \(label) at flat index \(i) breaks the character order")
        }

        let data = try zip.read("images.npy")
        let header = try NPYReader.check(data, file: imagesName, descr: ["|b1"], elementSize: 1)
        let shape = header.shape
        guard shape.count == 4, shape[0] == expected, shape[1] == drawingsPerCharacter else {
            throw DataError.corruptNPY(file: imagesName,
                                       reason: "shape \(shape), expected [\(expected), \(drawingsPerCharacter), 105, 105]")
        }
        guard shape[2] == side, shape[3] == side else {
            throw DataError.wrongImageSize(file: imagesName, expected: "105x105", found: "\(shape[3])x\(shape[2])")
        }
        // bool true (1) is paper: ink is 255 where the byte is 0.
        var ink = [UInt8](repeating: 0, count: header.elementCount)
        ink.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBytes { raw in
                let src = raw.baseAddress!.advanced(by: header.dataOffset).assumingMemoryBound(to: UInt8.self)
                for i in 0..<out.count { out[i] = src[i] == 0 ? 255 : 0 }
            }
        }
        var characters = [CharacterInfo](), imageLabels = [Int](), drawings = [Int](), sources = [String]()
        characters.reserveCapacity(expected)
        let imageCount = expected * drawingsPerCharacter
        imageLabels.reserveCapacity(imageCount); drawings.reserveCapacity(imageCount); sources.reserveCapacity(imageCount)
        for c in 0..<expected {
            let id = firstId + c
            characters.append(CharacterInfo(id: id, alphabet: Alphabets.alphabet(ofCharacterId: id).name, set: set,
                                             name: Alphabets.characterName(ofCharacterId: id)))
            for k in 0..<drawingsPerCharacter {
                imageLabels.append(c)
                drawings.append(k)
                sources.append("npz:\(c)/\(k)")
            }
        }
        return GlyphDataset(side: side, characters: characters, ink: ink, labels: imageLabels,
                            drawings: drawings, sources: sources)
    }

    // MARK: - Official PNG layout

    /// Characters from a zip or folder in the official layout `<root>/<Alphabet>/characterNN/IIII_KK.png`
    /// (the big official zips, the small1/small2 subsets, or their extracted folders). The global
    /// id and drawing come from the file name, the alphabet from the folder name.
    public static func loadOfficial(_ url: URL) throws -> GlyphDataset {
        var files = [OfficialFile]()
        try ImageFiles.forEachPNG(in: url) { path, data in
            files.append(try OfficialFile(path: path, data: data))
        }
        guard !files.isEmpty else { throw DataError.badLayout(path: url.path, reason: "holds no Omniglot PNG files") }
        return try dataset(from: files, root: url.path)
    }

    /// One drawing read from the official layout, not yet placed in a dataset.
    struct OfficialFile {
        var path: String
        var id: Int
        var drawing: Int
        var alphabet: String
        var characterFolder: String
        var ink: [UInt8]

        init(path: String, data: Data) throws {
            let parts = path.split(separator: "/").map(String.init)
            let name = parts.last ?? path
            let stem = name.dropLast(4)  // ".png"
            let fields = stem.split(separator: "_")
            guard parts.count >= 3, fields.count == 2, let id = Int(fields[0]), let k = Int(fields[1]),
                  id >= 1, k >= 1 else {
                throw DataError.badLayout(path: path, reason: "not named <Alphabet>/characterNN/IIII_KK.png")
            }
            self.path = path
            self.id = id
            self.drawing = k - 1
            self.alphabet = parts[parts.count - 3]
            self.characterFolder = parts[parts.count - 2]
            let (w, h, gray) = try PNGDecoder.decodeGray8(data, file: path)
            guard w == Omniglot.side, h == Omniglot.side else {
                throw DataError.wrongImageSize(file: path, expected: "105x105", found: "\(w)x\(h)")
            }
            self.ink = gray.map { 255 - $0 }
        }
    }

    static func dataset(from files: [OfficialFile], root: String) throws -> GlyphDataset {
        let sorted = files.sorted { ($0.id, $0.drawing) < ($1.id, $1.drawing) }
        var characters = [CharacterInfo](), ink = [UInt8](), labels = [Int](), drawings = [Int](), sources = [String]()
        ink.reserveCapacity(sorted.count * side * side)
        var previous: (id: Int, drawing: Int)? = nil
        for f in sorted {
            if let p = previous, p.id == f.id, p.drawing == f.drawing {
                throw DataError.badLayout(path: f.path, reason: "drawing \(f.drawing + 1) of character \(f.id) appears twice in \(root)")
            }
            if previous?.id != f.id {
                let set = Alphabets.alphabet(ofCharacterId: f.id).set
                characters.append(CharacterInfo(id: f.id, alphabet: f.alphabet, set: set,
                                                name: "\(f.alphabet)/\(f.characterFolder)"))
            }
            previous = (f.id, f.drawing)
            ink += f.ink
            labels.append(characters.count - 1)
            drawings.append(f.drawing)
            sources.append(f.path)
        }
        return GlyphDataset(side: side, characters: characters, ink: ink, labels: labels, drawings: drawings, sources: sources)
    }
}
