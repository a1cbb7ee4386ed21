/// The 2x2, stride-2 max-pool (every pooling layer of Conv-4 and Koch's towers) as straight-line
/// code over a pair of rows. Forward it runs as fast as the general loop (measured alone) but
/// can map each pixel first, which lets batch norm run fused with it
/// (`BatchNormMaxPool`); backward it writes every input pixel once, so the gradient
/// needs no zero-fill pass. Results are the general loop's exactly, ties included (the first
/// maximum in row order wins), for any window without a NaN (training stops on NaN anyway).
enum MaxPool2x2 {
    /// One plane: `dst[oy, ox] = max` of its window, `arg` (when non-nil) its position 0...3
    /// (top-left, top-right, bottom-left, bottom-right). A last odd row or column is dropped.
    ///
    /// `value` maps each input pixel first (batch norm's scale and shift when the two layers run
    /// fused, see `BatchNormMaxPool`); the plain pool passes the identity.
    @inline(__always)
    static func forward(_ src: UnsafePointer<Float>, width w: Int, _ dst: UnsafeMutablePointer<Float>,
                        outHeight oh: Int, outWidth ow: Int, arg: UnsafeMutablePointer<UInt8>?,
                        value: (Float) -> Float = { $0 }) {
        for oy in 0..<oh {
            let top = src + 2 * oy * w, bottom = top + w, out = dst + oy * ow
            if let arg {
                let positions = arg + oy * ow
                for ox in 0..<ow {
                    let a = value(top[2 * ox]), b = value(top[2 * ox + 1])
                    let c = value(bottom[2 * ox]), d = value(bottom[2 * ox + 1])
                    // The maximum by a tree of float selects (max instructions), its position
                    // by integer arithmetic on comparison bits: the first pixel in row order
                    // that equals the maximum (ties as in the general loop). Written as selects,
                    // the position became branches on data, mispredicted about half the time.
                    let upper = b > a ? b : a, lower = d > c ? d : c
                    let best = lower > upper ? lower : upper
                    out[ox] = best
                    let notA = unsafeBitCast(a != best, to: UInt8.self)
                    let notB = unsafeBitCast(b != best, to: UInt8.self)
                    let notC = unsafeBitCast(c != best, to: UInt8.self)
                    positions[ox] = notA &+ (notA & notB) &+ (notA & notB & notC)
                }
            } else {
                for ox in 0..<ow {
                    let a = value(top[2 * ox]), b = value(top[2 * ox + 1])
                    let c = value(bottom[2 * ox]), d = value(bottom[2 * ox + 1])
                    let upper = b > a ? b : a, lower = d > c ? d : c
                    out[ox] = lower > upper ? lower : upper
                }
            }
        }
    }

    /// One plane of the input gradient: each output gradient written at its window's maximum
    /// and zero at the window's other three pixels, and zero in a dropped last row or column.
    /// Every input pixel is written exactly once, so the gradient needs no zero-fill first.
    @inline(__always)
    static func backward(_ dy: UnsafePointer<Float>, arg: UnsafePointer<UInt8>, outHeight oh: Int, outWidth ow: Int,
                         into dx: UnsafeMutablePointer<Float>, height h: Int, width w: Int) {
        for oy in 0..<oh {
            let top = dx + 2 * oy * w, bottom = top + w
            let g = dy + oy * ow, positions = arg + oy * ow
            for ox in 0..<ow {
                let v = g[ox], p = positions[ox]
                top[2 * ox] = p == 0 ? v : 0
                top[2 * ox + 1] = p == 1 ? v : 0
                bottom[2 * ox] = p == 2 ? v : 0
                bottom[2 * ox + 1] = p == 3 ? v : 0
            }
            if w > 2 * ow { top[w - 1] = 0; bottom[w - 1] = 0 }
        }
        if h > 2 * oh { (dx + (h - 1) * w).update(repeating: 0, count: w) }
    }
}
