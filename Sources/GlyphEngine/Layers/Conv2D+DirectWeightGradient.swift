/// The weight gradient of a stride-1 "same" convolution with few lowered rows (Conv-4's first
/// layer: 1 channel, 3x3, so 9 rows) computed directly, without lowering.
///
/// Lowering such a layer writes a 9-row matrix and gathers the whole output gradient into a
/// second copy (25 MB at 126 images of 64 x 28 x 28) for a GEMM only 9 columns wide, which
/// runs far below the GEMM's speed. Directly, each weight is one dot product per image between
/// the output-gradient plane and the input's zero-padded plane (`PaddedPlanes`) at the tap's
/// offset: the output gradient is read once. Each thread owns whole output channels, so the
/// sums are deterministic and need no locks.
extension Conv2D {
    /// Lowered rows up to which the direct kernel is used (a 3x3 kernel over up to 3 channels).
    static let directWeightGradientMaxRows = 27

    func usesDirectWeightGradient(_ g: ConvGeometry) -> Bool {
        g.isShift && g.rows <= Conv2D.directWeightGradientMaxRows
    }

    /// `dW += Σ dy ⊗ x` over `n` images, for a geometry where `usesDirectWeightGradient`.
    func accumulateWeightGradientDirectly(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, images n: Int,
                                          geometry g: ConvGeometry, into dw: UnsafeMutablePointer<Float>) {
        let o = outChannels, p = g.positions, rows = g.rows
        let padded = PaddedPlanes(g)
        var images = [Float](unsafeUninitializedCapacity: n * g.channels * padded.planeStride) { _, count in
            count = n * g.channels * padded.planeStride
        }
        images.withUnsafeMutableBufferPointer { images in
            padded.pad(x, images: n, into: images.baseAddress!)
            parallelFor(o) { oc in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: rows) { totals in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: padded.runLength) { spread in
                    totals.initialize(repeating: 0)
                    for image in 0..<n {
                        Conv2D.spreadRows(dy + (image * o + oc) * p, geometry: g, into: spread.baseAddress!)
                        Conv2D.addPlaneWeightGradient(spread.baseAddress!,
                                                      paddedImage: images.baseAddress! + image * g.channels * padded.planeStride,
                                                      geometry: g, into: totals.baseAddress!)
                    }
                    for r in 0..<rows { dw[oc * rows + r] += Float(totals[r]) }
                }}
            }
        }
    }

    /// One output-gradient plane with its rows `PaddedPlanes.paddedWidth` apart and zeros in
    /// the extra columns (`runLength` floats at `dst`), as `addPlaneWeightGradient` takes it.
    @inline(__always)
    static func spreadRows(_ gradient: UnsafePointer<Float>, geometry g: ConvGeometry, into dst: UnsafeMutablePointer<Float>) {
        let padded = PaddedPlanes(g), w = g.width
        for y in 0..<g.height {
            let row = dst + y * padded.paddedWidth
            row.update(from: gradient + y * w, count: w)
            (row + w).update(repeating: 0, count: padded.paddedWidth - w)
        }
    }

    /// One image's share of one output channel's weight gradient: `totals[channel * k² + tap]
    /// += Σ gradient · (the image's padded plane shifted by the tap)`, one dot product per tap
    /// over the flat run (the gradient's extra columns are zero, so what they meet counts
    /// nothing). `spread` is the plane as `spreadRows` lays it out.
    @inline(__always)
    static func addPlaneWeightGradient(_ spread: UnsafePointer<Float>, paddedImage: UnsafePointer<Float>,
                                       geometry g: ConvGeometry, into totals: UnsafeMutablePointer<Double>) {
        let padded = PaddedPlanes(g), k = g.kernel, taps = k * k
        for channel in 0..<g.channels {
            let plane = paddedImage + channel * padded.planeStride
            for tap in 0..<taps {
                let sum = Reductions.dot(spread, plane + padded.offset(ky: tap / k, kx: tap % k), count: padded.runLength)
                totals[channel * taps + tap] += Double(sum)
            }
        }
    }
}
