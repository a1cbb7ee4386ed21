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
    ///
    /// Sums are taken in integers, rows then columns (the windows are rectangles, so this is the
    /// same sum), which makes the whole of Omniglot take a fraction of a second.
    public func resized(to newSide: Int) -> GlyphDataset {
        precondition(newSide > 0, "resized(to:): side must be positive")
        if newSide == side { return self }
        let from = side, to = newSide
        let windows = areaWindows(from: from, to: to)
        let starts = windows.map(\.lowerBound), ends = windows.map(\.upperBound)
        var out = [UInt8](repeating: 0, count: imageCount * to * to)
        var rowSums = [UInt32](repeating: 0, count: from * to)  // each input row, summed over each output column window
        ink.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                rowSums.withUnsafeMutableBufferPointer { rs in
                    for image in 0..<imageCount {
                        let base = image * from * from
                        for r in 0..<from {
                            let row = base + r * from
                            for j in 0..<to {
                                var sum: UInt32 = 0
                                for c in starts[j]..<ends[j] { sum &+= UInt32(src[row + c]) }
                                rs[r * to + j] = sum
                            }
                        }
                        let outBase = image * to * to
                        for i in 0..<to {
                            let rowCount = ends[i] - starts[i]
                            for j in 0..<to {
                                var sum: UInt32 = 0
                                for r in starts[i]..<ends[i] { sum &+= rs[r * to + j] }
                                let area = Float(rowCount * (ends[j] - starts[j]))
                                dst[outBase + i * to + j] = UInt8((Float(sum) / area).rounded())
                            }
                        }
                    }
                }
            }
        }
        return GlyphDataset(side: newSide, characters: characters, ink: out, labels: labels,
                            drawings: drawings, sources: sources)
    }
}
