/// The Modified Hausdorff Distance (Dubuisson and Jain 1994) between two glyph images, as
/// the baseline of Lake et al.'s one-shot demo computes it.
///
/// Each image (`side x side` values, row-major, ink = value > 0.5, as `GlyphDataset` hands
/// images out) becomes the set of its ink pixels' (row, column) coordinates, centred on the
/// set's mean, so that the position of a glyph on the page does not count. Then
///
///     MHD(A, B) = max( mean over a in A of min over b in B |a - b|,
///                      mean over b in B of min over a in A |a - b| )
///
/// It is 0 for an image and itself and symmetric. Edge cases (not in the demo, which
/// never meets them): two blank images are at distance 0; a blank and an inked image at
/// +infinity; images whose size is not `side * side` also give +infinity, so that a
/// malformed image is never anybody's nearest neighbour.
public func modifiedHausdorffDistance(_ a: [Float], _ b: [Float], side: Int) -> Float {
    guard side > 0, a.count == side * side, b.count == side * side else { return .infinity }
    let pointsA = InkPoints(a, side: side), pointsB = InkPoints(b, side: side)
    if pointsA.count == 0 && pointsB.count == 0 { return 0 }
    if pointsA.count == 0 || pointsB.count == 0 { return .infinity }
    return max(pointsA.meanNearestDistance(to: pointsB), pointsB.meanNearestDistance(to: pointsA))
}

/// An image's ink pixels as centred coordinates, stored as two arrays so the inner
/// nearest-point loop is a plain branch-free scan that the compiler vectorizes.
struct InkPoints {
    var rows: [Float] = []
    var columns: [Float] = []
    var count: Int { rows.count }

    init(_ image: [Float], side: Int) {
        for index in image.indices where image[index] > 0.5 {
            rows.append(Float(index / side))
            columns.append(Float(index % side))
        }
        guard !rows.isEmpty else { return }
        let meanRow = Float(rows.reduce(0.0) { $0 + Double($1) } / Double(rows.count))
        let meanColumn = Float(columns.reduce(0.0) { $0 + Double($1) } / Double(columns.count))
        for i in rows.indices {
            rows[i] -= meanRow
            columns[i] -= meanColumn
        }
    }

    /// Mean over this set's points of the distance to the nearest point of `other`.
    func meanNearestDistance(to other: InkPoints) -> Float {
        var total: Double = 0
        rows.withUnsafeBufferPointer { ar in
            columns.withUnsafeBufferPointer { ac in
                other.rows.withUnsafeBufferPointer { br in
                    other.columns.withUnsafeBufferPointer { bc in
                        for i in 0..<ar.count {
                            let r = ar[i], c = ac[i]
                            var nearest = Float.greatestFiniteMagnitude
                            for j in 0..<br.count {
                                let dr = br[j] - r, dc = bc[j] - c
                                nearest = min(nearest, dr * dr + dc * dc)
                            }
                            total += Double(nearest.squareRoot())
                        }
                    }
                }
            }
        }
        return Float(total / Double(count))
    }
}
