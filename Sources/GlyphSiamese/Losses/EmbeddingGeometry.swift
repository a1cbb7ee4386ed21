import GlyphEngine

// Distances between embedding rows and the gradients of functions of those distances,
// shared by every loss.
//
// The Euclidean distance D = |x_i - x_j| has no gradient at D = 0. GlyphSim uses the
// subgradient 0 there: dD/dx_i = (x_i - x_j) / D when D > 0 and 0 when D = 0 (then
// x_i - x_j = 0 as well, so the rule only picks a value where the formula reads 0/0).
// Distances themselves stay exact (no epsilon under the square root), so a pair exactly
// at the margin has exactly the loss the formula says.

/// All N x N Euclidean distances between the rows of `embeddings` ([N, D]), row-major.
///
/// Computed with the Gram-matrix identity |a-b|^2 = |a|^2 + |b|^2 - 2 a.b through one
/// `gemm` (N^2 D multiply-adds at BLAS speed instead of nested loops). The rows are first
/// centred on their mean, which leaves distances unchanged but shrinks the norms and so
/// the cancellation of the identity; squared distances are clamped at 0, the diagonal is
/// exactly 0 and the matrix exactly symmetric. Small distances (below about 1e-3 of the
/// embedding norm) carry float32 rounding: use the matrix to choose triplets, not to
/// measure near-identical embeddings.
public func pairwiseDistances(_ embeddings: Tensor) -> [Float] {
    let n = embeddings.shape.first ?? 0
    guard n > 0 else { return [] }
    let d = embeddings.count / n
    var centred = embeddings.scalars
    var mean = [Double](repeating: 0, count: d)
    centred.withUnsafeMutableBufferPointer { x in
        mean.withUnsafeMutableBufferPointer { mu in
            for i in 0..<n {
                for k in 0..<d { mu[k] += Double(x[i * d + k]) }
            }
            for k in 0..<d { mu[k] /= Double(n) }
            for i in 0..<n {
                for k in 0..<d { x[i * d + k] -= Float(mu[k]) }
            }
        }
    }
    var gram = [Float](repeating: 0, count: n * n)
    if d > 0 {
        centred.withUnsafeBufferPointer { x in
            gram.withUnsafeMutableBufferPointer { g in
                gemm(transposeB: true, m: n, n: n, k: d,
                     a: x.baseAddress!, lda: d, b: x.baseAddress!, ldb: d,
                     c: g.baseAddress!, ldc: n)
            }
        }
    }
    var distances = [Float](repeating: 0, count: n * n)
    gram.withUnsafeBufferPointer { g in
        distances.withUnsafeMutableBufferPointer { out in
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) {
                    let squared = max(0, g[i * n + i] + g[j * n + j] - 2 * g[i * n + j])
                    let distance = squared.squareRoot()
                    out[i * n + j] = distance
                    out[j * n + i] = distance
                }
            }
        }
    }
    return distances
}

/// Checks that `embeddings` is a non-empty [N, D] matrix with N a multiple of `group`
/// (2 for pairs, 3 for triplets, 1 for a P x K batch) and returns (N, D).
func embeddingMatrixShape(_ embeddings: Tensor, group: Int, loss: String) throws -> (rows: Int, width: Int) {
    let layout = group == 1 ? "[N, D]" : "[\(group)T, D] (rows \(group)i...\(group)i+\(group - 1) form one group)"
    guard embeddings.rank == 2, embeddings.shape[0] > 0, embeddings.shape[1] > 0,
          embeddings.shape[0] % group == 0 else {
        throw EngineError.shapeMismatch(layer: loss, expected: layout, got: embeddings.shape)
    }
    return (embeddings.shape[0], embeddings.shape[1])
}

/// Exact Euclidean distance between rows `i` and `j` of a row-major [N, D] buffer.
@inline(__always)
func rowDistance(_ x: UnsafeBufferPointer<Float>, _ i: Int, _ j: Int, width d: Int) -> Float {
    var sum: Float = 0
    let a = i * d, b = j * d
    for k in 0..<d {
        let diff = x[a + k] - x[b + k]
        sum += diff * diff
    }
    return sum.squareRoot()
}

/// Adds `coefficient * dD_ij/dx` to the gradient rows i and j, where D_ij = `distance`:
/// row i gets +c (x_i - x_j) / D and row j the opposite (the subgradient is 0 at D = 0).
@inline(__always)
func accumulateDistanceGradient(_ x: UnsafeBufferPointer<Float>, into g: UnsafeMutableBufferPointer<Float>,
                                _ i: Int, _ j: Int, width d: Int, distance: Float, coefficient: Float) {
    guard distance > 0, coefficient != 0 else { return }
    let scale = coefficient / distance
    let a = i * d, b = j * d
    for k in 0..<d {
        let step = scale * (x[a + k] - x[b + k])
        g[a + k] += step
        g[b + k] -= step
    }
}

/// How `gradientFromDistanceCoefficients` combines the coefficients with the embeddings.
enum DistanceGradientPath {
    /// Pick by cost: sparse when few pairs carry a coefficient (batch-hard: at most 2 per row).
    case automatic
    /// One `gemm` over the full N x N matrix.
    case dense
    /// A scalar loop over the pairs with a non-zero coefficient.
    case sparse
}

/// The gradient of a loss that depends on the embeddings only through the pairwise
/// distances, given `coefficients[i * n + j]` = dL/dD_ij (any asymmetric split allowed).
///
/// With W_ij = c_ij / D_ij (0 where D_ij = 0) and S = W + W^T, row i of the gradient is
/// sum_j S_ij (x_i - x_j) = (sum_j S_ij) x_i - (S X)_i: one `gemm` for the whole batch.
/// When at most a quarter of the rows' worth of pairs carry a coefficient (batch-hard
/// mining: two per anchor), adding each pair's term directly is cheaper than the N^2 D
/// `gemm`, and gives the same gradient up to rounding.
func gradientFromDistanceCoefficients(_ embeddings: Tensor, distances: [Float], coefficients: [Float],
                                      path: DistanceGradientPath = .automatic) -> Tensor {
    let n = embeddings.shape[0], d = embeddings.count / n
    let nonZero = coefficients.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
    let sparse = path == .sparse || (path == .automatic && 4 * nonZero < n * n)
    if sparse {
        var gradient = Tensor(zeros: embeddings.shape)
        embeddings.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<n {
                    for j in 0..<n where i != j && coefficients[i * n + j] != 0 {
                        accumulateDistanceGradient(x, into: g, i, j, width: d, distance: distances[i * n + j],
                                                   coefficient: coefficients[i * n + j])
                    }
                }
            }
        }
        return gradient
    }
    var s = [Float](repeating: 0, count: n * n)
    var rowSums = [Float](repeating: 0, count: n)
    distances.withUnsafeBufferPointer { dist in
        coefficients.withUnsafeBufferPointer { c in
            s.withUnsafeMutableBufferPointer { s in
                for i in 0..<n {
                    for j in 0..<n where i != j {
                        let distance = dist[i * n + j]
                        let w = distance > 0 ? c[i * n + j] / distance : 0
                        s[i * n + j] += w
                        s[j * n + i] += w
                    }
                }
                for i in 0..<n {
                    var total: Float = 0
                    for j in 0..<n { total += s[i * n + j] }
                    rowSums[i] = total
                }
            }
        }
    }
    // gradient = diag(rowSums) X - S X
    var gradient = embeddings
    gradient.withUnsafeMutableBufferPointer { g in
        for i in 0..<n {
            let r = rowSums[i]
            for k in 0..<d { g[i * d + k] *= r }
        }
        embeddings.withUnsafeBufferPointer { x in
            s.withUnsafeBufferPointer { s in
                gemm(m: n, n: d, k: n, alpha: -1,
                     a: s.baseAddress!, lda: n, b: x.baseAddress!, ldb: d,
                     beta: 1, c: g.baseAddress!, ldc: d)
            }
        }
    }
    return gradient
}

/// Mean Euclidean norm of the rows of a [N, D] matrix.
func meanRowNorm(_ embeddings: Tensor) -> Float {
    let n = embeddings.shape[0], d = embeddings.count / n
    return embeddings.withUnsafeBufferPointer { x in
        var total: Double = 0
        for i in 0..<n {
            var sum: Float = 0
            for k in 0..<d { sum += x[i * d + k] * x[i * d + k] }
            total += Double(sum.squareRoot())
        }
        return Float(total / Double(n))
    }
}
