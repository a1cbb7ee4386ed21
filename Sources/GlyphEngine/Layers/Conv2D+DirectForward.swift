/// The forward pass of a stride-1 "same" convolution with few lowered rows (Conv-4's first
/// layer: 1 channel, 3x3) computed directly in the engine's NCHW layout.
///
/// oneDNN computes this layer quickly but in its blocked layout, and turning its 64-channel
/// output back into NCHW (25 MB at 126 images of 28 x 28) cost twice the convolution itself.
/// Directly, each output plane is built in cache from nine shifted copies of the input plane
/// (`shiftRun`), each scaled by one weight, and written once. Positions whose shifted column
/// wrapped onto the neighbouring row are put back as they were after each tap, so they receive
/// exactly nothing from it.
extension Conv2D {
    func usesDirectForward(_ g: ConvGeometry) -> Bool { usesDirectWeightGradient(g) }

    /// `out = W ∗ x + b` for `n` images, for a geometry where `usesDirectForward`.
    func forwardDirectly(x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                         images n: Int, geometry g: ConvGeometry, into out: UnsafeMutablePointer<Float>) {
        let o = outChannels, c = g.channels, k = g.kernel, taps = k * k, p = g.positions
        let planeSize = g.height * g.width
        parallelFor(n * o) { t in
            let image = t / o, oc = t % o
            let dst = out + t * p
            dst.update(repeating: bias?[oc] ?? 0, count: p)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: p) { saved in
                let saved = saved.baseAddress!
                for channel in 0..<c {
                    let plane = x + image * g.imageSize + channel * planeSize
                    for tap in 0..<taps {
                        let weight = w[(oc * c + channel) * taps + tap]
                        let run = g.shiftRun(ki: tap / k, kj: tap % k)
                        var count = 0
                        g.forEachWrapped(qLo: run.qLo, qHi: run.qHi, dx: run.dx) { q in saved[count] = dst[q]; count += 1 }
                        let source = plane + run.s
                        for q in run.qLo..<run.qHi { dst[q] += weight * source[q] }
                        count = 0
                        g.forEachWrapped(qLo: run.qLo, qHi: run.qHi, dx: run.dx) { q in dst[q] = saved[count]; count += 1 }
                    }
                }
            }
        }
    }
}
