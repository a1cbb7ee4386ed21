import GlyphEngine
import GlyphRandom
@testable import GlyphSiamese

/// Shared helpers of the loss and metric tests.
enum LossTestSupport {
    /// A [rows, width] tensor of normal samples times `scale`, reproducible from `seed`.
    static func randomEmbeddings(rows: Int, width: Int, seed: UInt64, scale: Float = 1) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: [rows, width], scalars: (0..<(rows * width)).map { _ in scale * generator.nextNormal() })
    }

    /// The central finite-difference gradient of `loss` at `x`, computed in float32.
    static func numericalGradient(of loss: (Tensor) throws -> Float, at x: Tensor, step h: Float) rethrows -> [Float] {
        var result = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            var plus = x, minus = x
            plus.scalars[i] += h
            minus.scalars[i] -= h
            result[i] = (try loss(plus) - loss(minus)) / (2 * h)
        }
        return result
    }

    /// The largest |a - b| / max(1, |b|) over two arrays of equal length.
    static func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }

    /// Class ids for sampled pairs (rows 2i, 2i+1): pair i of different classes when `dissimilar[i]`.
    static func pairClasses(dissimilar: [Bool]) -> [Int] {
        dissimilar.enumerated().flatMap { pair, different in [2 * pair, different ? 2 * pair + 1 : 2 * pair] }
    }

    /// Class ids for sampled triplets (rows 3i, 3i+1, 3i+2: anchor, positive, negative) of `embeddings`.
    static func tripletClasses(_ embeddings: Tensor) -> [Int] {
        (0..<(embeddings.shape.first ?? 0)).map { row in row % 3 == 2 ? 2 * (row / 3) + 1 : 2 * (row / 3) }
    }

    static func close(_ a: Float, _ b: Float, _ tolerance: Float = 1e-5) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    static func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { close($0, $1, tolerance) }
    }
}

extension TripletLoss {
    /// The same loss with its triplets mined inside a P x K batch by `rule`.
    func mined(by rule: TripletMining) -> TripletLoss {
        var loss = self
        loss.triplets = .mined(rule)
        return loss
    }
}
