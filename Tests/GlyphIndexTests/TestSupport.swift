import Foundation
import GlyphData
import GlyphIndex
import GlyphRandom
import GlyphSiamese

/// Index data made in the tests: seeded vectors, optionally in clusters.
enum Synthetic {
    static func vectors(count: Int, dimension: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<(count * dimension)).map { _ in g.nextNormal() }
    }

    /// `clusters` random centres, `perCluster` points around each (spread `noise`), unit length.
    static func clustered(clusters: Int, perCluster: Int, dimension: Int, noise: Float, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        var out = [Float]()
        for _ in 0..<clusters {
            let centre = (0..<dimension).map { _ in g.nextNormal() }
            for _ in 0..<perCluster {
                var v = centre.map { $0 + noise * g.nextNormal() }
                let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                v = v.map { $0 / n }
                out += v
            }
        }
        return out
    }

    static let metadata = IndexMetadata(modelFingerprint: "0123456789abcdef", modelSummary: "test",
                                        preprocessing: .init(imageSide: 32, polarity: "auto", normalization: "l2"))

    static func index(count: Int, dimension: Int, seed: UInt64) throws -> EmbeddingIndex {
        let entries = (0..<count).map { i in
            IndexEntry(path: "/data/g\(i % 3)/c\(i % 7)/\(i).png", label: i % 5 == 0 ? nil : "c\(i % 7)", group: i % 2 == 0 ? "g\(i % 3)" : nil)
        }
        return try EmbeddingIndex(metadata: metadata, dimension: dimension, entries: entries,
                                  embeddings: vectors(count: count, dimension: dimension, seed: seed))
    }

    /// Brute force: every distance, sorted.
    static func bruteForce(_ index: EmbeddingIndex, query: [Float], k: Int, skip: Set<Int> = []) -> [(Int, Float)] {
        var all = [(Int, Float)]()
        for i in 0..<index.count where !skip.contains(i) {
            var s: Float = 0
            for d in 0..<index.dimension { let x = query[d] - index.embeddings[i * index.dimension + d]; s += x * x }
            all.append((i, s.squareRoot()))
        }
        all.sort { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        return Array(all.prefix(k))
    }
}

func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("glyphindex-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Glyph images a user might index: `<group>/<class>/<image>.png`, each class one shape drawn
/// with small seeded variations (thickness, offset), dark ink on white paper.
enum GlyphImages {
    static func draw(shape: Int, variant: Int, side: Int = 40) -> [UInt8] {
        var g = SeededGenerator(seed: UInt64(shape * 1000 + variant))
        let c = Float(side) / 2 + Float(Int(g.next() % 3)) - 1
        let thickness = Float(side) / 14 + Float(g.next() % 2)
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<side {
            for x in 0..<side {
                let dx = Float(x) - c, dy = Float(y) - c
                let r = (dx * dx + dy * dy).squareRoot()
                let on: Bool
                switch shape % 6 {
                case 0: on = abs(r - Float(side) * 0.3) < thickness
                case 1: on = (abs(dx) < thickness || abs(dy) < thickness) && r < Float(side) * 0.4
                case 2: on = abs(dx - dy) < thickness && r < Float(side) * 0.4
                case 3: on = abs(dy) < thickness && abs(dx) < Float(side) * 0.35
                case 4: on = abs(dx) < thickness && abs(dy) < Float(side) * 0.35
                default: on = (abs(dx + dy) < thickness || abs(dx - dy) < thickness) && r < Float(side) * 0.4
                }
                if on { pixels[y * side + x] = 0 }
            }
        }
        return pixels
    }

    /// Writes `groups x classes x images` PNGs under `folder`; returns their URLs.
    @discardableResult
    static func write(in folder: URL, groups: Int, classes: Int, images: Int, firstShape: Int = 0) throws -> [URL] {
        var files = [URL]()
        for g in 0..<groups {
            for c in 0..<classes {
                let dir = folder.appendingPathComponent("group\(g)/class\(c)")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                for i in 0..<images {
                    let url = dir.appendingPathComponent("img\(i).png")
                    try PNGEncoder.encode(draw(shape: firstShape + g * classes + c, variant: i), width: 40, height: 40).write(to: url)
                    files.append(url)
                }
            }
        }
        return files
    }
}

/// An untrained fast model with a threshold, saved as a run folder.
func makeRun(in folder: URL, seed: UInt64, name: String = "run") throws -> (url: URL, model: SiameseModel) {
    let run = folder.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    let model = try SiameseModel(config: ModelConfig(preset: .fast, widths: [8, 8, 16, 16]), seed: seed)
    model.threshold = 0.5
    try model.save(to: run.appendingPathComponent(RunFolder.bestCheckpoint))
    return (run, model)
}
