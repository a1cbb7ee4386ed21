/// Zero-padded copies of small images, for the direct convolution kernels (stride 1, "same").
///
/// With a zero border of the kernel's reach around each plane, the output row `oy` of a tap
/// `(ky, kx)` reads the padded plane from `(oy + ky) * paddedWidth + kx` on: over a whole plane
/// whose rows are laid out `paddedWidth` apart, every tap is one flat run of
/// `height * paddedWidth` values at a constant offset. The kernels then run each tap as one
/// long vector loop (or one dot product), with no edge cases: the two extra columns of each
/// output row read the border and are dropped (forward) or multiply a zero (weight gradient).
struct PaddedPlanes {
    let geometry: ConvGeometry
    /// Columns of a padded row (width + kernel - 1) and rows of a padded plane.
    let paddedWidth: Int, paddedHeight: Int
    /// Floats from one padded plane to the next: the plane plus `kernel` floats of slack, which
    /// the last row's dropped columns may read.
    let planeStride: Int
    /// A flat run's length: the output rows, `paddedWidth` apart.
    var runLength: Int { geometry.height * paddedWidth }

    init(_ g: ConvGeometry) {
        geometry = g
        paddedWidth = g.width + g.kernel - 1
        paddedHeight = g.height + g.kernel - 1
        planeStride = paddedWidth * paddedHeight + g.kernel
    }

    /// Offset of tap `(ky, kx)`'s run inside a padded plane.
    @inline(__always) func offset(ky: Int, kx: Int) -> Int { ky * paddedWidth + kx }

    /// Writes `images` images' channels (plain NCHW at `x`) as padded planes into `dst`
    /// (`images * channels * planeStride` floats), zero border and slack included.
    func pad(_ x: UnsafePointer<Float>, images: Int, into dst: UnsafeMutablePointer<Float>) {
        let g = geometry, planes = images * g.channels, w = g.width, h = g.height
        parallelFor(planes) { plane in
            let out = dst + plane * planeStride, src = x + plane * h * w
            out.update(repeating: 0, count: planeStride)
            for y in 0..<h {
                (out + (y + g.padTop) * paddedWidth + g.padLeft).update(from: src + y * w, count: w)
            }
        }
    }
}
