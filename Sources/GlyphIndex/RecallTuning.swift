import GlyphRandom

/// Measures an approximate index against exact search and picks its efSearch.
public enum RecallTuning {
    public struct Result: Sendable, Equatable {
        public var efSearch: Int
        public var recallAt10: Double
        public var sampleQueries: Int
    }

    /// efSearch values tried, smallest first.
    public static let candidates = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]

    /// Recall@10 of `approximate` against exact search over `index`, with up to `samples` of the
    /// index's own entries (chosen with `seed`) as queries, each excluding itself from both
    /// answers. Tries efSearch from small to large and keeps the first that reaches `target`
    /// (else the largest).
    public static func tune(_ approximate: ApproximateIndex, index: EmbeddingIndex, samples: Int = 500,
                            target: Double = 0.95, seed: UInt64 = 7) throws -> Result {
        let k = 10
        let n = index.count
        guard n > 1 else {
            approximate.setEfSearch(candidates[0])
            return Result(efSearch: candidates[0], recallAt10: 1, sampleQueries: 0)
        }
        var generator = SeededGenerator(seed: seed)
        var chosen = Array(0..<n)
        let s = min(samples, n)
        for i in 0..<s { chosen.swapAt(i, i + Int(generator.next() % UInt64(n - i))) }
        let sample = Array(chosen.prefix(s))
        var queries = [Float]()
        queries.reserveCapacity(s * index.dimension)
        for q in sample { queries += index.embeddings[(q * index.dimension)..<((q + 1) * index.dimension)] }
        let exact = try index.nearest(to: queries, k: k, skip: sample.map { [$0] })
        var last = Result(efSearch: candidates[0], recallAt10: 0, sampleQueries: s)
        for ef in candidates {
            approximate.setEfSearch(ef)
            var hits = 0, total = 0
            for (i, q) in sample.enumerated() {
                let truth = Set(exact[i].map(\.entry))
                let found = try queries.withUnsafeBufferPointer { p in
                    try approximate.nearest(to: UnsafeBufferPointer(rebasing: p[(i * index.dimension)..<((i + 1) * index.dimension)]), k: k + 1)
                }
                let answer = found.filter { $0.entry != q }.prefix(k)
                hits += answer.filter { truth.contains($0.entry) }.count
                total += truth.count
            }
            last = Result(efSearch: ef, recallAt10: total == 0 ? 1 : Double(hits) / Double(total), sampleQueries: s)
            if last.recallAt10 >= target { break }
        }
        return last
    }
}
