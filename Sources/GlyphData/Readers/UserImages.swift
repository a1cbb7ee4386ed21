import Foundation

/// A user's own glyph images (any PNG: gray, RGB, palette, with alpha, any bit depth, any size),
/// converted the way Omniglot is stored: square, `side`x`side`, ink = 1 and paper = 0.
///
/// Conversion: decode to gray (alpha composited on white), pad the shorter side with paper to
/// a square (the glyph stays centred and undistorted), area-resize to `side`, then map gray to
/// ink according to the polarity.
public enum UserImages {
    /// Which gray level is ink. `auto` looks at the image's border, which is paper in a glyph
    /// image: a light border means dark ink on light paper, a dark border the reverse.
    public enum Polarity: String, Sendable, CaseIterable, Codable {
        case auto, darkInk, lightInk
    }

    /// One PNG file as `side*side` floats, ink = 1.
    public static func load(file: URL, side: Int, polarity: Polarity = .auto) throws -> [Float] {
        guard side > 0 else { throw DataError.invalidArgument("image side must be positive, got \(side)") }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            if FileManager.default.fileExists(atPath: file.path) {
                throw DataError.badLayout(path: file.path, reason: "cannot be read")
            }
            throw DataError.missingFile(file.path)
        }
        return try convert(data, file: file.path, side: side, polarity: polarity)
    }

    /// PNG bytes as `side*side` floats, ink = 1; `file` names the image in error messages.
    public static func convert(_ data: Data, file: String, side: Int, polarity: Polarity = .auto) throws -> [Float] {
        let (w, h, gray) = try PNGDecoder.decodeGray(data, file: file)
        let darkInk: Bool
        switch polarity {
        case .darkInk: darkInk = true
        case .lightInk: darkInk = false
        case .auto: darkInk = borderMean(gray, width: w, height: h) >= 0.5
        }
        let paper: Float = darkInk ? 1 : 0
        let square = padToSquare(gray, width: w, height: h, fill: paper)
        let resized = resizeArea(square.pixels, from: square.side, to: side)
        return darkInk ? resized.map { 1 - $0 } : resized
    }

    /// The images of `folder`: either `<class>/<image>.png` (one character per subfolder) or a flat
    /// folder of PNGs (one character per image). Characters are in name order, ids from 1.
    public static func loadFolder(_ folder: URL, side: Int, polarity: Polarity = .auto) throws -> GlyphDataset {
        guard side > 0 else { throw DataError.invalidArgument("image side must be positive, got \(side)") }
        guard FileManager.default.fileExists(atPath: folder.path) else { throw DataError.missingFile(folder.path) }
        guard ImageFiles.isDirectory(folder) else { throw DataError.badLayout(path: folder.path, reason: "is not a folder") }
        let paths = try ImageFiles.relativeFiles(in: folder).filter(ImageFiles.isPNG)
        guard !paths.isEmpty else { throw DataError.badLayout(path: folder.path, reason: "holds no PNG images") }
        let classOf: (String) -> String = { path in
            let parts = path.split(separator: "/")
            return parts.count >= 2 ? String(parts[parts.count - 2]) : String(parts[0].dropLast(4))
        }
        var classNames = [String](), classIndex = [String: Int]()
        var ink = [UInt8](), labels = [Int](), drawings = [Int](), sources = [String]()
        var perClass = [Int]()
        for path in paths {
            let name = classOf(path)
            let c: Int
            if let known = classIndex[name] { c = known } else {
                c = classNames.count
                classIndex[name] = c
                classNames.append(name)
                perClass.append(0)
            }
            let url = folder.appendingPathComponent(path)
            let image = try load(file: url, side: side, polarity: polarity)
            ink += image.map { UInt8(($0 * 255).rounded()) }
            labels.append(c)
            drawings.append(perClass[c])
            perClass[c] += 1
            sources.append(url.path)
        }
        let characters = classNames.enumerated().map {
            CharacterInfo(id: $0.offset + 1, alphabet: folder.lastPathComponent, set: .user, name: $0.element)
        }
        return GlyphDataset(side: side, characters: characters, ink: ink, labels: labels, drawings: drawings, sources: sources)
    }

    static func borderMean(_ gray: [Float], width w: Int, height h: Int) -> Float {
        var sum: Float = 0, count = 0
        for x in 0..<w { sum += gray[x] + gray[(h - 1) * w + x]; count += 2 }
        for y in 0..<h { sum += gray[y * w] + gray[y * w + w - 1]; count += 2 }
        return sum / Float(count)
    }

    static func padToSquare(_ gray: [Float], width w: Int, height h: Int, fill: Float) -> (pixels: [Float], side: Int) {
        if w == h { return (gray, w) }
        let s = max(w, h), x0 = (s - w) / 2, y0 = (s - h) / 2
        var out = [Float](repeating: fill, count: s * s)
        for y in 0..<h { for x in 0..<w { out[(y + y0) * s + x + x0] = gray[y * w + x] } }
        return (out, s)
    }
}
