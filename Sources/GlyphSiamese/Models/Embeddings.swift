/// Embeddings of a list of images: row `i` is image `i`'s vector.
public struct Embeddings: Sendable {
    public let dimension: Int
    public private(set) var values: [Float]

    public init(dimension: Int, values: [Float]) {
        precondition(dimension > 0 && values.count % dimension == 0)
        self.dimension = dimension
        self.values = values
    }

    public var count: Int { values.count / dimension }

    public func row(_ i: Int) -> ArraySlice<Float> { values[(i * dimension)..<((i + 1) * dimension)] }

    /// Euclidean distance between rows `i` and `j`.
    @inlinable
    public func distance(_ i: Int, _ j: Int) -> Float {
        values.withUnsafeBufferPointer { p in
            let a = p.baseAddress! + i * dimension, b = p.baseAddress! + j * dimension
            var s: Float = 0
            for k in 0..<dimension { let d = a[k] - b[k]; s += d * d }
            return s.squareRoot()
        }
    }

    /// Euclidean distance between row `i` of `self` and row `j` of `other`.
    public func distance(_ i: Int, to other: Embeddings, _ j: Int) -> Float {
        precondition(other.dimension == dimension)
        var s: Float = 0
        let a = row(i), b = other.row(j)
        for (x, y) in zip(a, b) { let d = x - y; s += d * d }
        return s.squareRoot()
    }

    /// The mean of the given rows (a class prototype for k-shot tasks).
    public func mean(of rows: [Int]) -> [Float] {
        var m = [Float](repeating: 0, count: dimension)
        for r in rows { for (k, v) in row(r).enumerated() { m[k] += v } }
        return m.map { $0 / Float(max(rows.count, 1)) }
    }
}
