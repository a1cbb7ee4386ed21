/// Shrinks (or enlarges) a square image by area averaging, exactly as PyTorch's
/// `F.interpolate(mode="area")`, which is adaptive average pooling: output pixel `i` covers
/// input rows `floor(i*from/to) ..< ceil((i+1)*from/to)` (columns alike), unweighted mean.
public func resizeArea(_ image: [Float], from: Int, to: Int) -> [Float] {
    precondition(from > 0 && to > 0 && image.count == from * from, "resizeArea: image is not \(from)x\(from)")
    if from == to { return image }
    let windows = areaWindows(from: from, to: to)
    var out = [Float](repeating: 0, count: to * to)
    image.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for i in 0..<to {
                let rows = windows[i]
                for j in 0..<to {
                    let cols = windows[j]
                    var sum: Float = 0
                    for r in rows {
                        let row = r * from
                        for c in cols { sum += src[row + c] }
                    }
                    dst[i * to + j] = sum / Float(rows.count * cols.count)
                }
            }
        }
    }
    return out
}

/// The input range each output index averages over.
func areaWindows(from: Int, to: Int) -> [Range<Int>] {
    (0..<to).map { i in (i * from) / to ..< ((i + 1) * from + to - 1) / to }
}

extension GlyphDataset {
    /// The same images at `side`x`side`, area-averaged like `F.interpolate(mode="area")`. Ink is
    /// stored in bytes, so each averaged value is rounded to the nearest 1/255.
    public func resized(to newSide: Int) -> GlyphDataset {
        precondition(newSide > 0, "resized(to:): side must be positive")
        if newSide == side { return self }
        let n = side * side, m = newSide * newSide
        var out = [UInt8](repeating: 0, count: imageCount * m)
        var scratch = [Float](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { dst in
            for i in 0..<imageCount {
                scratch.withUnsafeMutableBufferPointer { copyImage(i, into: $0.baseAddress!) }
                let small = resizeArea(scratch, from: side, to: newSide)
                for j in 0..<m { dst[i * m + j] = UInt8((small[j] * 255).rounded()) }
            }
        }
        return GlyphDataset(side: newSide, characters: characters, ink: out, labels: labels,
                            drawings: drawings, sources: sources)
    }
}
