/// Exact nearest-neighbour search: one pass over every row, keeping the best `k` in a small
/// sorted buffer. At 30,000 rows of 128 floats this is a few million multiply-adds per query,
/// well below the cost of embedding the query, so no approximate index is needed in memory.
enum ExactSearch {
    /// Row indices and Euclidean distances of the `k` rows of `matrix` (row-major,
    /// `dimension` columns) nearest to `query`, nearest first; equal distances by row index.
    static func nearest(to query: [Float], in matrix: [Float], dimension: Int, k: Int) -> [(row: Int, distance: Float)] {
        precondition(query.count == dimension && dimension > 0 && matrix.count % dimension == 0)
        let rows = matrix.count / dimension
        let keep = min(max(k, 0), rows)
        guard keep > 0 else { return [] }
        var best = [(row: Int, squared: Float)]()
        best.reserveCapacity(keep + 1)
        query.withUnsafeBufferPointer { q in
            matrix.withUnsafeBufferPointer { m in
                for r in 0..<rows {
                    let s = squaredDistance(q.baseAddress!, m.baseAddress! + r * dimension, dimension)
                    if best.count == keep, let worst = best.last, s >= worst.squared { continue }
                    // Insert in order; later rows lose ties, so the order is by (distance, row).
                    var i = best.count
                    while i > 0 && best[i - 1].squared > s { i -= 1 }
                    best.insert((r, s), at: i)
                    if best.count > keep { best.removeLast() }
                }
            }
        }
        return best.map { ($0.row, $0.squared.squareRoot()) }
    }

    /// Sum of squared differences. Eight lanes at a time: the compiler keeps a float sum in
    /// order and will not vectorize it by itself, and this loop is the whole cost of a search.
    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var lanes = SIMD8<Float>()
        var j = 0
        while j + 8 <= n {
            let d = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Float>.self)
                - UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self)
            lanes += d * d
            j += 8
        }
        var s = lanes.sum()
        while j < n { let d = a[j] - b[j]; s += d * d; j += 1 }
        return s
    }
}
