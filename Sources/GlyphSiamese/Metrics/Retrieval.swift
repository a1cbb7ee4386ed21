import GlyphEngine

/// Retrieval scores of a labelled set of embeddings searched against itself, as
/// pytorch-metric-learning's `AccuracyCalculator` reports them (each image a query, every other
/// image a reference, the query itself left out):
///
/// - `precision_at_1`: how often the nearest other image has the query's class;
/// - `r_precision`: with R the number of other images of the query's class, the fraction of the
///   R nearest that have it;
/// - `map_at_r`: mean average precision over those R nearest (Musgrave et al. 2020, "A Metric
///   Learning Reality Check"), which rewards ranking the right images first.
///
/// Queries whose class has no other image (R = 0) are left out of every score.
public struct RetrievalScores: Codable, Sendable, Equatable {
    public var precisionAt1: Double
    public var rPrecision: Double
    public var mapAtR: Double
    /// Queries scored (images whose class has at least one other image).
    public var queries: Int

    enum CodingKeys: String, CodingKey {
        case precisionAt1 = "precision_at_1"
        case rPrecision = "r_precision"
        case mapAtR = "map_at_r"
        case queries
    }

    /// Scores `embeddings` (row `i` has class `labels[i]`). Distances come from one matrix product
    /// per block of queries; ties in distance are broken by image index, so the result is
    /// deterministic.
    public static func score(_ embeddings: Embeddings, labels: [Int]) -> RetrievalScores {
        precondition(labels.count == embeddings.count)
        let n = embeddings.count, d = embeddings.dimension
        var classSize = [Int: Int]()
        for l in labels { classSize[l, default: 0] += 1 }
        let norms = (0..<n).map { i in embeddings.row(i).reduce(Float(0)) { $0 + $1 * $1 } }

        var p1 = 0.0, rp = 0.0, map = 0.0, scored = 0
        let block = 256
        var products = [Float](repeating: 0, count: block * n)
        var start = 0
        while start < n {
            let rows = min(block, n - start)
            embeddings.values.withUnsafeBufferPointer { e in
                products.withUnsafeMutableBufferPointer { c in
                    gemm(transposeB: true, m: rows, n: n, k: d, a: e.baseAddress! + start * d, lda: d,
                         b: e.baseAddress!, ldb: d, c: c.baseAddress!, ldc: n)
                }
            }
            for r in 0..<rows {
                let q = start + r
                let relevant = classSize[labels[q], default: 1] - 1
                guard relevant > 0 else { continue }
                // Squared distances to every other image, nearest first.
                var ranked = [(distance: Float, index: Int)]()
                ranked.reserveCapacity(n - 1)
                for j in 0..<n where j != q {
                    let squared = norms[q] + norms[j] - 2 * products[r * n + j]
                    ranked.append((squared.isNaN ? .infinity : squared, j))
                }
                let top = smallest(relevant, of: &ranked)
                var hits = 0, precisionSum = 0.0
                for (rank, entry) in top.enumerated() where labels[entry.index] == labels[q] {
                    hits += 1
                    precisionSum += Double(hits) / Double(rank + 1)
                }
                p1 += labels[top[0].index] == labels[q] ? 1 : 0
                rp += Double(hits) / Double(relevant)
                map += precisionSum / Double(relevant)
                scored += 1
            }
            start += rows
        }
        let s = Double(max(scored, 1))
        return RetrievalScores(precisionAt1: p1 / s, rPrecision: rp / s, mapAtR: map / s, queries: scored)
    }

    /// The `k` nearest entries, in order (distance, then index).
    static func smallest(_ k: Int, of entries: inout [(distance: Float, index: Int)]) -> ArraySlice<(distance: Float, index: Int)> {
        func before(_ a: (distance: Float, index: Int), _ b: (distance: Float, index: Int)) -> Bool {
            a.distance < b.distance || (a.distance == b.distance && a.index < b.index)
        }
        if k * 8 < entries.count {
            // A partial selection: keep a sorted buffer of the k best seen so far.
            var best = Array(entries.prefix(k)).sorted(by: before)
            for e in entries.dropFirst(k) where before(e, best[k - 1]) {
                var i = k - 1
                while i > 0 && before(e, best[i - 1]) { best[i] = best[i - 1]; i -= 1 }
                best[i] = e
            }
            return best[...]
        }
        entries.sort(by: before)
        return entries.prefix(k)
    }
}
