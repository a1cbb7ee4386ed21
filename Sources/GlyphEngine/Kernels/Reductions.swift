/// Float reductions over contiguous runs, with eight independent partial sums.
///
/// A plain `for i { s += p[i] }` is one long dependency chain (the compiler may not reorder
/// float additions), so it runs at one add per latency (about 4 cycles). Eight partial sums
/// let the compiler fill a vector register and pipeline; they also halve the rounding error.
enum Reductions {
    /// `Σ p[i]`.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, count n: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= n {
            s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3]
            s4 += p[i + 4]; s5 += p[i + 5]; s6 += p[i + 6]; s7 += p[i + 7]
            i += 8
        }
        while i < n { s0 += p[i]; i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }

    /// `Σ (p[i] - center)²`.
    @inline(__always)
    static func sumOfSquares(_ p: UnsafePointer<Float>, count n: Int, center c: Float) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= n {
            let d0 = p[i] - c, d1 = p[i + 1] - c, d2 = p[i + 2] - c, d3 = p[i + 3] - c
            let d4 = p[i + 4] - c, d5 = p[i + 5] - c, d6 = p[i + 6] - c, d7 = p[i + 7] - c
            s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
            s4 += d4 * d4; s5 += d5 * d5; s6 += d6 * d6; s7 += d7 * d7
            i += 8
        }
        while i < n { let d = p[i] - c; s0 += d * d; i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }

    /// `Σ g[i] * (x[i] - center)`.
    @inline(__always)
    static func centeredDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count n: Int, center c: Float) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= n {
            s0 += g[i] * (x[i] - c); s1 += g[i + 1] * (x[i + 1] - c)
            s2 += g[i + 2] * (x[i + 2] - c); s3 += g[i + 3] * (x[i + 3] - c)
            s4 += g[i + 4] * (x[i + 4] - c); s5 += g[i + 5] * (x[i + 5] - c)
            s6 += g[i + 6] * (x[i + 6] - c); s7 += g[i + 7] * (x[i + 7] - c)
            i += 8
        }
        while i < n { s0 += g[i] * (x[i] - c); i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }
}
