import GlyphEngine

/// Exact Euclidean distances between chosen rows of an embedding matrix [N, D], e.g. the
/// pairs of a verification table once every image has been embedded once.
///
/// Unlike `pairwiseDistances` (the Gram-matrix shortcut for mining), each distance is
/// summed directly, so near-identical embeddings get accurate small distances.
/// Throws when the tensor is not [N, D] or a row index is out of range.
public func rowDistances(_ embeddings: Tensor, pairs: [(Int, Int)]) throws -> [Float] {
    let (rows, width) = try embeddingMatrixShape(embeddings, group: 1, loss: "rowDistances")
    if let bad = pairs.first(where: { !(0..<rows).contains($0.0) || !(0..<rows).contains($0.1) }) {
        throw EngineError.invalidArgument("rowDistances: pair \(bad) is outside the \(rows) embedding rows")
    }
    return embeddings.withUnsafeBufferPointer { x in
        pairs.map { rowDistance(x, $0.0, $0.1, width: width) }
    }
}

/// The distances of the pair layout of the losses: rows 2i and 2i+1 are pair i.
public func pairDistances(_ embeddings: Tensor) throws -> [Float] {
    let (rows, _) = try embeddingMatrixShape(embeddings, group: 2, loss: "pairDistances")
    return try rowDistances(embeddings, pairs: (0..<(rows / 2)).map { (2 * $0, 2 * $0 + 1) })
}
