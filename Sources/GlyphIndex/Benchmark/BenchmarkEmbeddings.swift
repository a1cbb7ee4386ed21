import Foundation
import GlyphData
import GlyphEngine
import GlyphRandom
import GlyphSiamese

/// Real embeddings at benchmark scale: a model over Omniglot's images, first as they are, then
/// again and again through the training augmentation (every copy distorted), so that a million
/// entries have the clustered structure of real glyphs, not of random vectors.
public enum BenchmarkEmbeddings {
    /// `count` embeddings (row-major) of `dataset`'s images, cycling through them; pass 0 is the
    /// images as they are, later passes are augmented with `seed`. `progress(done, total)`.
    public static func make(model: SiameseModel, dataset: GlyphDataset, count: Int, seed: UInt64 = 1,
                            chunk: Int = 4096, progress: ((Int, Int) -> Void)? = nil) throws -> Embeddings {
        let data = dataset.side == model.config.imageSize ? dataset : dataset.resized(to: model.config.imageSize)
        let side = data.side, n = side * side
        let augmentation = AffineAugmentation(probability: 1)
        var values = [Float]()
        values.reserveCapacity(count * model.embeddingSize)
        var start = 0
        var generator = SeededGenerator(seed: seed)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { scratch.deallocate() }
        while start < count {
            let end = min(count, start + chunk)
            let part = try model.embed(count: end - start, batchSize: 256) { i, destination in
                let index = start + i
                let image = index % data.imageCount
                if index < data.imageCount {
                    data.copyImage(image, into: destination)
                } else {
                    data.copyImage(image, into: scratch)
                    augmentation.apply(scratch, to: destination, side: side, generator: &generator)
                }
            }
            values += part.values
            start = end
            progress?(start, count)
        }
        return Embeddings(dimension: model.embeddingSize, values: values)
    }

    /// Writes float32 rows as a NumPy .npy file (version 1.0), atomically.
    public static func writeNPY(_ values: [Float], dimension: Int, to url: URL) throws {
        let rows = values.count / dimension
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(dimension)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var prefix = [UInt8(0x93)] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        prefix += [UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
        try AtomicFileWriter.write(to: url) { sink in
            try prefix.withUnsafeBytes { try sink($0) }
            try values.withUnsafeBytes { try sink($0) }
        }
    }

    /// Reads rows `rows` of a little-endian float32 .npy file of shape [count, dimension]
    /// (all rows when nil), without holding the rest in memory.
    public static func readNPY(_ url: URL, rows: Range<Int>? = nil) throws -> (values: [Float], dimension: Int, totalRows: Int) {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        let header = try NPYReader.header(data, file: url.path)
        guard header.descr == "<f4", !header.fortranOrder, header.shape.count == 2, header.shape[1] > 0,
              data.count - header.dataOffset == header.elementCount * 4 else {
            throw IndexError.invalidArgument("\(url.path): expected a C-order float32 array [rows, dimension]")
        }
        let total = header.shape[0], dimension = header.shape[1]
        let wanted = rows ?? 0..<total
        guard wanted.lowerBound >= 0, wanted.upperBound <= total else {
            throw IndexError.invalidArgument("\(url.path) has \(total) rows, not \(wanted.upperBound)")
        }
        var values = [Float](repeating: 0, count: wanted.count * dimension)
        values.withUnsafeMutableBytes { destination in
            data.withUnsafeBytes { source in
                let start = header.dataOffset + wanted.lowerBound * dimension * 4
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<(start + wanted.count * dimension * 4)]))
            }
        }
        return (values, dimension, total)
    }
}
