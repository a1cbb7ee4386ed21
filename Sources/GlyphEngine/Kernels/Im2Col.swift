/// Where a `kernel x kernel` window with `stride` and zero padding lands on an image of
/// `channels x height x width`: the shared arithmetic of convolution lowering.
///
/// The lowered matrix ("col") has one row per (channel, kernel row, kernel column) and one
/// column per output position, so a convolution is `weight[out, rows] · col[rows, positions]`.
struct ConvGeometry: Equatable {
    let channels: Int
    let height: Int
    let width: Int
    let kernel: Int
    let stride: Int
    let padTop: Int
    let padLeft: Int
    let outHeight: Int
    let outWidth: Int

    /// Nil when the window does not fit the (padded) input.
    init?(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Padding) {
        self.channels = channels
        self.height = height
        self.width = width
        self.kernel = kernel
        self.stride = stride
        switch padding {
        case .valid:
            guard height >= kernel, width >= kernel else { return nil }
            outHeight = (height - kernel) / stride + 1
            outWidth = (width - kernel) / stride + 1
            padTop = 0
            padLeft = 0
        case .same:
            guard height > 0, width > 0 else { return nil }
            outHeight = (height + stride - 1) / stride
            outWidth = (width + stride - 1) / stride
            padTop = max((outHeight - 1) * stride + kernel - height, 0) / 2
            padLeft = max((outWidth - 1) * stride + kernel - width, 0) / 2
        }
    }

    /// Rows of the lowered matrix: `channels * kernel * kernel`.
    var rows: Int { channels * kernel * kernel }
    /// Output positions per image: `outHeight * outWidth`.
    var positions: Int { outHeight * outWidth }
    var imageSize: Int { channels * height * width }

    /// The output columns `lo..<hi` whose input column for kernel column `kj` is inside the image.
    @inline(__always) func validColumns(kj: Int) -> (lo: Int, hi: Int) {
        let shift = kj - padLeft  // input column = ox * stride + shift
        let lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let last = width - 1 - shift  // need ox * stride <= last
        let hi = last < 0 ? 0 : min(outWidth, last / stride + 1)
        return (min(lo, outWidth), max(hi, min(lo, outWidth)))
    }

    /// Stride 1 with the output as large as the input (a "same" convolution, Conv-4's 3x3): a
    /// lowered row is then the input plane shifted by one constant offset, so it moves as one
    /// contiguous run plus a few border fixes instead of one short copy per output row.
    var isShift: Bool { stride == 1 && outHeight == height && outWidth == width }

    /// For the shift case: the offset `s` (`row[q]` reads `plane[q + s]`), the run `qLo..<qHi`
    /// of positions whose source row is inside the image, and the column shift `dx`.
    @inline(__always) func shiftRun(ki: Int, kj: Int) -> (s: Int, qLo: Int, qHi: Int, dx: Int) {
        let dy = ki - padTop, dx = kj - padLeft, w = width, h = height
        let s = dy * w + dx
        let oyLo = max(0, -dy), oyHi = min(h, h - dy)
        let qLo = min(h * w, max(oyLo * w, -s)), qHi = max(qLo, min(oyHi * w, h * w - s))
        return (s, qLo, qHi, dx)
    }

    /// Positions of the run whose source column falls off the left or right edge (they wrapped
    /// to the neighbouring row): `body(q)` for each.
    @inline(__always) func forEachWrapped(qLo: Int, qHi: Int, dx: Int, _ body: (Int) -> Void) {
        if dx == 0 { return }
        let w = width
        let first = dx > 0 ? max(0, w - dx) : 0, last = dx > 0 ? w : min(w, -dx)  // bad columns first..<last
        var rowStart = (qLo / w) * w
        while rowStart < qHi {
            for ox in first..<last {
                let q = rowStart + ox
                if q >= qLo && q < qHi { body(q) }
            }
            rowStart += w
        }
    }

    /// Writes row `row` of one image's lowered matrix (`positions` floats) to `dst`.
    @inline(__always)
    func im2colRow(_ row: Int, image: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>) {
        let kk = kernel * kernel
        let c = row / kk, ki = (row / kernel) % kernel, kj = row % kernel
        let plane = image + c * height * width
        if isShift {
            let (s, qLo, qHi, dx) = shiftRun(ki: ki, kj: kj)
            let p = positions
            dst.update(repeating: 0, count: qLo)
            (dst + qLo).update(from: plane + qLo + s, count: qHi - qLo)
            (dst + qHi).update(repeating: 0, count: p - qHi)
            forEachWrapped(qLo: qLo, qHi: qHi, dx: dx) { dst[$0] = 0 }
            return
        }
        let (lo, hi) = validColumns(kj: kj)
        let shift = kj - padLeft
        for oy in 0..<outHeight {
            let out = dst + oy * outWidth
            let iy = oy * stride + ki - padTop
            if iy < 0 || iy >= height {
                out.update(repeating: 0, count: outWidth)
                continue
            }
            if lo > 0 { out.update(repeating: 0, count: lo) }
            if hi < outWidth { (out + hi).update(repeating: 0, count: outWidth - hi) }
            let src = plane + iy * width + shift
            if stride == 1 {
                (out + lo).update(from: src + lo, count: hi - lo)
            } else {
                let s = stride
                for ox in lo..<hi { out[ox] = src[ox * s] }
            }
        }
    }

    /// Adds channel `channel` rows of a lowered gradient back onto the image gradient plane
    /// (`col2im`): the transpose of `im2colRow` for the `kernel * kernel` rows of one channel.
    /// `col` points at the channel's first row; `rowStride` is the distance between rows.
    /// In the shift case the wrapped positions of each row are zeroed in `col` first (they read
    /// nothing), so that the whole run adds in one contiguous loop.
    @inline(__always)
    func col2imChannel(_ col: UnsafeMutablePointer<Float>, rowStride: Int, into plane: UnsafeMutablePointer<Float>) {
        for ki in 0..<kernel {
            for kj in 0..<kernel {
                let src = col + (ki * kernel + kj) * rowStride
                if isShift {
                    let (s, qLo, qHi, dx) = shiftRun(ki: ki, kj: kj)
                    forEachWrapped(qLo: qLo, qHi: qHi, dx: dx) { src[$0] = 0 }
                    let dst = plane + s
                    for q in qLo..<qHi { dst[q] += src[q] }
                    continue
                }
                let (lo, hi) = validColumns(kj: kj)
                let shift = kj - padLeft
                for oy in 0..<outHeight {
                    let iy = oy * stride + ki - padTop
                    if iy < 0 || iy >= height { continue }
                    let dst = plane + iy * width + shift
                    let s = src + oy * outWidth
                    if stride == 1 {
                        for ox in lo..<hi { dst[ox] += s[ox] }
                    } else {
                        let st = stride
                        for ox in lo..<hi { dst[ox * st] += s[ox] }
                    }
                }
            }
        }
    }
}
