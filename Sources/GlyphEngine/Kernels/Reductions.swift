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

    /// `(Σ g[i], Σ g[i] * (x[i] - center))` in one pass over `g` and `x` (batch norm's
    /// backward): the same eight partial sums in the same order as two separate loops had, so
    /// the same results, with one read of the gradient instead of two.
    @inline(__always)
    static func sumAndCenteredDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count n: Int,
                                  center c: Float) -> (Float, Float) {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var d0: Float = 0, d1: Float = 0, d2: Float = 0, d3: Float = 0
        var d4: Float = 0, d5: Float = 0, d6: Float = 0, d7: Float = 0
        var i = 0
        while i + 8 <= n {
            s0 += g[i]; s1 += g[i + 1]; s2 += g[i + 2]; s3 += g[i + 3]
            s4 += g[i + 4]; s5 += g[i + 5]; s6 += g[i + 6]; s7 += g[i + 7]
            d0 += g[i] * (x[i] - c); d1 += g[i + 1] * (x[i + 1] - c)
            d2 += g[i + 2] * (x[i + 2] - c); d3 += g[i + 3] * (x[i + 3] - c)
            d4 += g[i + 4] * (x[i + 4] - c); d5 += g[i + 5] * (x[i + 5] - c)
            d6 += g[i + 6] * (x[i + 6] - c); d7 += g[i + 7] * (x[i + 7] - c)
            i += 8
        }
        while i < n { s0 += g[i]; d0 += g[i] * (x[i] - c); i += 1 }
        return (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)),
                ((d0 + d1) + (d2 + d3)) + ((d4 + d5) + (d6 + d7)))
    }

    /// `Σ a[i] * b[i]`, with four vectors of eight partial sums: four independent chains
    /// keep the adder busy (one chain waits on each add's latency: 2x slower measured on
    /// 756-float rows, the direct weight gradient's). Each step is a fused multiply-add (one
    /// instruction and one rounding instead of two).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Float {
        typealias V = SIMD8<Float>
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        @inline(__always) func add(_ s: inout V, _ i: Int) {
            s.addProduct(ra.loadUnaligned(fromByteOffset: i * 4, as: V.self), rb.loadUnaligned(fromByteOffset: i * 4, as: V.self))
        }
        var s0 = V(), s1 = V(), s2 = V(), s3 = V()
        var i = 0
        while i + 32 <= n {
            add(&s0, i); add(&s1, i + 8); add(&s2, i + 16); add(&s3, i + 24)
            i += 32
        }
        while i + 8 <= n { add(&s0, i); i += 8 }
        var tail: Float = 0
        while i < n { tail += a[i] * b[i]; i += 1 }
        let s = (s0 + s1) + (s2 + s3)
        return (((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))) + tail
    }
}
