import GlyphEngine

extension EmbeddingIndex {
    /// Rows of the index taken at once: one GEMM of `queries x rows`, whose scores stay in cache.
    static let exactBlockRows = 32_768
    /// Queries taken at once (a batch of queries shares each pass over the index).
    static let exactQueryBatch = 64

    /// The `k` entries nearest to each query (row-major `[queryCount, dimension]`), nearest first,
    /// by exact Euclidean distance. `skip[q]` lists entries query `q` must not return (the query
    /// itself, when it is in the index).
    ///
    /// Scores come from one matrix product per block of the index (the engine's GEMM, on its
    /// compute threads): |q - e|^2 = |q|^2 + |e|^2 - 2 q.e, then a bounded heap keeps the best k.
    /// That expansion loses precision for near-identical vectors, so the distances returned are
    /// recomputed directly for the k winners.
    public func nearest(to queries: [Float], k: Int, skip: [Set<Int>] = []) throws -> [[Neighbour]] {
        guard k > 0 else { throw IndexError.invalidArgument("k must be positive, got \(k)") }
        guard queries.count % dimension == 0 else {
            throw IndexError.invalidArgument("queries have \(queries.count) values, not a multiple of the index's dimension \(dimension)")
        }
        let queryCount = queries.count / dimension
        guard skip.isEmpty || skip.count == queryCount else {
            throw IndexError.invalidArgument("\(skip.count) skip lists for \(queryCount) queries")
        }
        guard count > 0, queryCount > 0 else { return Array(repeating: [], count: queryCount) }
        let queryNorms = Self.squaredNorms(queries, dimension: dimension)
        var heaps = (0..<queryCount).map { q in TopK(k: min(count, k + (skip.isEmpty ? 0 : skip[q].count))) }
        let blockRows = min(count, Self.exactBlockRows)
        let batch = min(queryCount, Self.exactQueryBatch)
        var scores = [Float](repeating: 0, count: blockRows * batch)
        embeddings.withUnsafeBufferPointer { e in
            queries.withUnsafeBufferPointer { qp in
                squaredNorms.withUnsafeBufferPointer { en in
                    scores.withUnsafeMutableBufferPointer { s in
                        var first = 0
                        while first < queryCount {
                            let queriesNow = min(batch, queryCount - first)
                            var start = 0
                            while start < count {
                                let rows = min(blockRows, count - start)
                                // s[q, r] = -2 q . e_r   (C = queries x rows, one row per query)
                                gemm(transposeB: true, m: queriesNow, n: rows, k: dimension, alpha: -2,
                                     a: qp.baseAddress! + first * dimension, lda: dimension,
                                     b: e.baseAddress! + start * dimension, ldb: dimension, beta: 0,
                                     c: s.baseAddress!, ldc: rows)
                                for q in 0..<queriesNow {
                                    let qn = queryNorms[first + q]
                                    let row = s.baseAddress! + q * rows, norms = en.baseAddress! + start
                                    var worst = heaps[first + q].worst
                                    for r in 0..<rows {
                                        let d2 = row[r] + norms[r] + qn
                                        if d2 < worst {
                                            heaps[first + q].offer(d2, id: start + r)
                                            worst = heaps[first + q].worst
                                        }
                                    }
                                }
                                start += rows
                            }
                            first += queriesNow
                        }
                    }
                }
            }
        }
        return (0..<queryCount).map { q in
            let excluded = skip.isEmpty ? [] : skip[q]
            var found = heaps[q].ids.filter { !excluded.contains($0) }.map { id in
                Neighbour(entry: id, distance: distance(from: queries, query: q, to: id))
            }
            found.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.entry < $1.entry) }
            return Array(found.prefix(k))
        }
    }

    /// Euclidean distance from query `q` of `queries` to entry `entry`, computed directly.
    func distance(from queries: [Float], query q: Int, to entry: Int) -> Float {
        var s: Float = 0
        queries.withUnsafeBufferPointer { qp in
            embeddings.withUnsafeBufferPointer { e in
                let a = qp.baseAddress! + q * dimension, b = e.baseAddress! + entry * dimension
                for i in 0..<dimension { let d = a[i] - b[i]; s += d * d }
            }
        }
        return s.squareRoot()
    }
}
