/// The 2x2, stride-2 max-pool (every pooling layer of Conv-4 and Koch's towers) as straight-line
/// code: the general loop reads its window through an offset table and loops over 4 positions
/// per output, which kept it from being unrolled and made it the slowest elementwise kernel of a
/// Conv-4 step. Results are the general loop's exactly, ties included (the first maximum in
/// row order wins), for any window without a NaN (training stops on NaN anyway).
enum MaxPool2x2 {
    /// One plane: `dst[oy, ox] = max` of its window, `arg` (when non-nil) its position 0...3
    /// (top-left, top-right, bottom-left, bottom-right). A last odd row or column is dropped.
    @inline(__always)
    static func forward(_ src: UnsafePointer<Float>, width w: Int, _ dst: UnsafeMutablePointer<Float>,
                        outHeight oh: Int, outWidth ow: Int, arg: UnsafeMutablePointer<UInt8>?) {
        for oy in 0..<oh {
            let top = src + 2 * oy * w, bottom = top + w, out = dst + oy * ow
            if let arg {
                let positions = arg + oy * ow
                for ox in 0..<ow {
                    let a = top[2 * ox], b = top[2 * ox + 1], c = bottom[2 * ox], d = bottom[2 * ox + 1]
                    // A tree of selects, not a chain of branches: which pixel wins is data,
                    // and the branchy chain (mispredicted about half the time) ran 3.7x slower.
                    // Ties go to the pixel first in row order, as in the general loop.
                    let right = b > a, lowerRight = d > c
                    let upper = right ? b : a, lower = lowerRight ? d : c
                    let down = lower > upper
                    out[ox] = down ? lower : upper
                    let column: UInt8 = (down ? lowerRight : right) ? 1 : 0
                    positions[ox] = (down ? 2 : 0) | column
                }
            } else {
                for ox in 0..<ow {
                    let a = top[2 * ox], b = top[2 * ox + 1], c = bottom[2 * ox], d = bottom[2 * ox + 1]
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
