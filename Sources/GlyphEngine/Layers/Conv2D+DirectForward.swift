/// The forward pass of a stride-1 "same" convolution with few lowered rows (Conv-4's first
/// layer: 1 channel, 3x3) computed directly in the engine's NCHW layout.
///
/// oneDNN computes this layer quickly but in its blocked layout, and turning its many-channel
/// output back into NCHW costs more than the convolution itself. Directly, one task per image
/// pads the image's planes once (`PaddedPlanes`), then builds each output plane in a buffer in
/// L1 cache, one flat vector loop per tap (a multiply-add at a constant offset), and copies its
/// rows out.
extension Conv2D {
    func usesDirectForward(_ g: ConvGeometry) -> Bool { usesDirectWeightGradient(g) }

    /// `out = W ∗ x + b` for `n` images, for a geometry where `usesDirectForward`.
    func forwardDirectly(x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                         images n: Int, geometry g: ConvGeometry, into out: UnsafeMutablePointer<Float>) {
        let o = outChannels, c = g.channels, k = g.kernel, taps = k * k, p = g.positions
        let padded = PaddedPlanes(g), run = padded.runLength, width = g.width
        parallelFor(n) { image in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: c * padded.planeStride + run) { scratch in
                let planes = scratch.baseAddress!, rows = planes + c * padded.planeStride
                // One image at a time: nested, `pad` runs serially on this thread.
                padded.pad(x + image * g.imageSize, images: 1, into: planes)
                for oc in 0..<o {
                    rows.update(repeating: bias?[oc] ?? 0, count: run)
                    for channel in 0..<c {
                        let plane = planes + channel * padded.planeStride
                        for tap in 0..<taps {
                            let weight = w[(oc * c + channel) * taps + tap]
                            let source = plane + padded.offset(ky: tap / k, kx: tap % k)
                            for i in 0..<run { rows[i].addProduct(weight, source[i]) }  // fused multiply-add
                        }
                    }
                    let dst = out + (image * o + oc) * p
                    for y in 0..<g.height { (dst + y * width).update(from: rows + y * padded.paddedWidth, count: width) }
                }
            }
        }
    }
}
