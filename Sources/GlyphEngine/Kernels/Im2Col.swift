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

    /// Writes row `row` of one image's lowered matrix (`positions` floats) to `dst`.
    @inline(__always)
    func im2colRow(_ row: Int, image: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>) {
        let kk = kernel * kernel
        let c = row / kk, ki = (row / kernel) % kernel, kj = row % kernel
        let plane = image + c * height * width
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
    @inline(__always)
    func col2imChannel(_ col: UnsafePointer<Float>, rowStride: Int, into plane: UnsafeMutablePointer<Float>) {
        for ki in 0..<kernel {
            for kj in 0..<kernel {
                let src = col + (ki * kernel + kj) * rowStride
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
