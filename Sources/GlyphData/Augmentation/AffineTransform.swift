#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A 2-D affine map about the image centre, in pixel coordinates (x to the right, y down):
/// a source point `p` lands at `matrix * (p - centre) + centre + translation`.
///
/// With y pointing down, a positive rotation angle turns the glyph clockwise as displayed.
public struct AffineTransform: Sendable, Equatable {
    /// Row-major 2x2 matrix `[[a, b], [c, d]]`.
    public var a: Float, b: Float, c: Float, d: Float
    /// Translation in pixels of the image it is applied to.
    public var tx: Float, ty: Float

    public init(a: Float, b: Float, c: Float, d: Float, tx: Float = 0, ty: Float = 0) {
        self.a = a; self.b = b; self.c = c; self.d = d; self.tx = tx; self.ty = ty
    }

    public static let identity = AffineTransform(a: 1, b: 0, c: 0, d: 1)

    public static func rotation(degrees: Float) -> AffineTransform {
        let r = Double(degrees) * Double.pi / 180
        let cs = Float(cos(r)), sn = Float(sin(r))
        return AffineTransform(a: cs, b: -sn, c: sn, d: cs)
    }

    /// Koch et al.'s composition: rotation after shear after scale, then translation.
    /// `shear` is `(ρx, ρy)`: x gains ρx·y and y gains ρy·x.
    public init(rotationDegrees: Float, shear: (x: Float, y: Float), scale: (x: Float, y: Float), translation: (x: Float, y: Float)) {
        let r = AffineTransform.rotation(degrees: rotationDegrees)
        // shear * scale = [[sx, ρx·sy], [ρy·sx, sy]]
        let m00 = scale.x, m01 = shear.x * scale.y, m10 = shear.y * scale.x, m11 = scale.y
        self.init(a: r.a * m00 + r.b * m10, b: r.a * m01 + r.b * m11,
                  c: r.c * m00 + r.d * m10, d: r.c * m01 + r.d * m11,
                  tx: translation.x, ty: translation.y)
    }

    /// Where the source point `(x, y)` lands in an image of `side` pixels.
    public func map(x: Float, y: Float, side: Int) -> (x: Float, y: Float) {
        let centre = Float(side - 1) / 2
        let u = x - centre, v = y - centre
        return (a * u + b * v + centre + tx, c * u + d * v + centre + ty)
    }

    /// Warps `source` into `destination` (both `side*side`, row-major) by bilinear sampling at the
    /// inverse-mapped point of each destination pixel; points outside the source read as 0 (paper).
    /// A singular (or non-finite) matrix leaves the destination blank.
    public func apply(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, side: Int) {
        let n = side * side
        let det = a * d - b * c
        guard det.isFinite, abs(det) > 1e-12 else {
            destination.update(repeating: 0, count: n)
            return
        }
        // Inverse: p = M⁻¹ (q - centre - t) + centre.
        let ia = d / det, ib = -b / det, ic = -c / det, id = a / det
        // Absurd coefficients could make NaN sample points; such a transform leaves the destination blank.
        guard [ia, ib, ic, id, tx, ty].allSatisfy({ $0.isFinite && abs($0) < 1e6 }) else {
            destination.update(repeating: 0, count: n)
            return
        }
        let centre = Float(side - 1) / 2
        // The source is copied into a frame with a 2-pixel border of paper, and sample points are
        // clamped to [-1, side]: every neighbour read is then in bounds, and points beyond the
        // image read the border (0), so the loop needs no per-pixel bounds tests.
        let padded = side + 4
        withUnsafeTemporaryAllocation(of: Float.self, capacity: padded * padded) { frame in
            let f = frame.baseAddress!
            f.initialize(repeating: 0, count: padded * padded)
            for y in 0..<side { (f + (y + 2) * padded + 2).update(from: source + y * side, count: side) }
            let low: Float = -1, high = Float(side)
            for y in 0..<side {
                let v = Float(y) - centre - ty
                let rowX = ib * v + centre, rowY = id * v + centre
                let out = destination + y * side
                for x in 0..<side {
                    let u = Float(x) - centre - tx
                    let sx = min(max(ia * u + rowX, low), high)
                    let sy = min(max(ic * u + rowY, low), high)
                    let fx0 = sx.rounded(.down), fy0 = sy.rounded(.down)
                    let wx = sx - fx0, wy = sy - fy0
                    let i = (Int(fy0) + 2) * padded + Int(fx0) + 2
                    let top = f[i] + wx * (f[i + 1] - f[i])
                    let bottom = f[i + padded] + wx * (f[i + padded + 1] - f[i + padded])
                    out[x] = top + wy * (bottom - top)
                }
            }
        }
    }
}
