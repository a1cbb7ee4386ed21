/// Max pooling over NCHW images, `size x size` windows every `stride` pixels (default: `size`).
///
/// Floor mode like PyTorch: a window must fit inside the image, so with an odd size the last
/// row and column are dropped. Training keeps, per output, the position of the maximum inside
/// its window as one byte (a quarter of a float copy); backward routes each output gradient
/// to that position (adding, since overlapping windows may pick the same pixel).
public final class MaxPool2D: Layer {
    public let size: Int
    public let stride: Int

    struct Cache {
        let inputShape: [Int]
        let argmax: [UInt8]
    }
    private var cache: Cache?

    public init(_ size: Int, stride: Int? = nil) {
        self.size = size
        self.stride = stride ?? size
    }

    public var name: String { stride == size ? "MaxPool2D(\(size))" : "MaxPool2D(\(size), stride \(stride))" }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard size > 0, stride > 0, size * size <= 256 else {
            throw EngineError.invalidArgument("\(name): window must be 1...16 wide and stride positive")
        }
        guard inputShape.count == 4, inputShape[2] >= size, inputShape[3] >= size else {
            throw EngineError.shapeMismatch(layer: name, expected: "[N, C, H, W] with H, W >= \(size)",
                                            got: inputShape)
        }
        return [inputShape[0], inputShape[1], (inputShape[2] - size) / stride + 1,
                (inputShape[3] - size) / stride + 1]
    }

    /// Offsets of the window's pixels from its top-left corner, row by row.
    private func windowOffsets(width: Int) -> [Int] {
        (0..<(size * size)).map { ($0 / size) * width + $0 % size }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let shape = try outputShape(for: input.shape)
        let planes = shape[0] * shape[1], h = input.shape[2], w = input.shape[3]
        let oh = shape[2], ow = shape[3], s = stride
        let offsets = windowOffsets(width: w)
        var argmax = training ? [UInt8](repeating: 0, count: planes * oh * ow) : []
        let output = Tensor(shape: shape) { out in
            input.withUnsafeBufferPointer { x in
            argmax.withUnsafeMutableBufferPointer { arg in
            offsets.withUnsafeBufferPointer { offsets in
                let keep = training
                if s == 2 && size == 2 {
                    parallelFor(planes) { plane in
                        MaxPool2x2.forward(x.baseAddress! + plane * h * w, width: w, out.baseAddress! + plane * oh * ow,
                                           outHeight: oh, outWidth: ow, arg: keep ? arg.baseAddress! + plane * oh * ow : nil)
                    }
                    return
                }
                parallelFor(planes) { plane in
                    let src = x.baseAddress! + plane * h * w
                    let dst = out.baseAddress! + plane * oh * ow
                    let window = offsets.count
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let corner = src + oy * s * w + ox * s
                            var best = corner[0]
                            var position: UInt8 = 0
                            for j in 1..<window {
                                let v = corner[offsets[j]]
                                let better = v > best
                                best = better ? v : best
                                position = better ? UInt8(truncatingIfNeeded: j) : position
                            }
                            dst[oy * ow + ox] = best
                            if keep { arg[plane * oh * ow + oy * ow + ox] = position }
                        }
                    }
                }
            }}}
        }
        cache = training ? Cache(inputShape: input.shape, argmax: argmax) : nil
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let cache else { throw EngineError.backwardBeforeForward(layer: name) }
        let shape = try outputShape(for: cache.inputShape)
        guard outputGradient.shape == shape else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(shape)", got: outputGradient.shape)
        }
        self.cache = nil
        let planes = shape[0] * shape[1], h = cache.inputShape[2], w = cache.inputShape[3]
        let oh = shape[2], ow = shape[3], s = stride
        let offsets = windowOffsets(width: w)
        // Windows that do not overlap (stride >= size) own their rows: each band of rows is
        // zeroed right before its maxima are written, one pass over the gradient while it is in
        // cache (the 2x2 kernel writes every pixel once instead). Overlapping windows zero
        // everything first and accumulate.
        let disjoint = stride >= size
        var inputGradient = disjoint ? Tensor(shape: cache.inputShape) { _ in } : Tensor(zeros: cache.inputShape)
        inputGradient.withUnsafeMutableBufferPointer { dx in
        outputGradient.withUnsafeBufferPointer { dy in
        cache.argmax.withUnsafeBufferPointer { arg in
        offsets.withUnsafeBufferPointer { offsets in
            if s == 2 && size == 2 {
                parallelFor(planes) { plane in
                    MaxPool2x2.backward(dy.baseAddress! + plane * oh * ow, arg: arg.baseAddress! + plane * oh * ow,
                                        outHeight: oh, outWidth: ow, into: dx.baseAddress! + plane * h * w,
                                        height: h, width: w)
                }
                return
            }
            parallelFor(planes) { plane in
                let dst = dx.baseAddress! + plane * h * w
                let base = plane * oh * ow
                for oy in 0..<oh {
                    if disjoint {
                        let end = oy == oh - 1 ? h : (oy + 1) * s
                        (dst + oy * s * w).update(repeating: 0, count: (end - oy * s) * w)
                    }
                    for ox in 0..<ow {
                        let i = base + oy * ow + ox
                        dst[oy * s * w + ox * s + offsets[Int(arg[i])]] += dy[i]
                    }
                }
            }
        }}}}
        return inputGradient
    }
}
