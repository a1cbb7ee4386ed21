@testable import GlyphEngine

/// `‖a - b‖ / max(‖a‖, ‖b‖)`, accumulated in Double: how far two results that should agree
/// are apart, symmetric in its arguments. When both are (nearly) zero, the absolute distance.
/// The one comparison every engine test uses.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "relativeError: \(a.count) values against \(b.count)")
    var diff = 0.0, na = 0.0, nb = 0.0
    for i in a.indices {
        diff += (a[i] - b[i]) * (a[i] - b[i])
        na += a[i] * a[i]
        nb += b[i] * b[i]
    }
    let scale = max(na, nb).squareRoot()
    return scale < 1e-12 ? diff.squareRoot() : diff.squareRoot() / scale
}

/// `relativeError` of two tensors' scalars (in plain order; shapes must have as many values).
func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    relativeError(a.inLayout(.plain).scalars.map(Double.init), b.inLayout(.plain).scalars.map(Double.init))
}
