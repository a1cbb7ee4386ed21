/// How an image tensor's scalars are ordered in memory; its `shape` is always the logical
/// `[N, C, H, W]`.
///
/// oneDNN's convolutions run in a channel-blocked layout (nChw16c: 16 channels side by side per
/// pixel). With plain NCHW activations every convolution converts its input, its output and both
/// gradients to and from that layout: five full-size copies per layer and step. In a fused
/// `ExecutionPlan`, activations and gradients stay blocked between a convolution and the steps
/// that work on that layout too (`ChannelBlockedLayer`: the fused batch norm + max-pool, ReLU),
/// and the plan converts only where a step needs plain order. Blocked tensors never leave a
/// plan: callers see plain tensors only; a plain `Sequential` never makes one.
public enum TensorLayout: Sendable, Equatable {
    /// Row-major over the shape (NCHW for images).
    case plain
    /// nChw16c: `[N, C/16, H, W, 16]` row-major, i.e. for each image and each group of 16
    /// channels, pixel by pixel, the group's 16 values side by side. Needs `C % 16 == 0`.
    case channelBlocked
}

extension TensorLayout {
    /// Channels per block of `.channelBlocked`.
    static let block = 16

    /// Whether a tensor of `shape` can be stored channel-blocked.
    static func canBlock(_ shape: [Int]) -> Bool {
        shape.count == 4 && shape[1] > 0 && shape[1] % block == 0
    }
}

extension Tensor {
    /// This tensor with its scalars in `target` order (itself when already so, or when its shape
    /// cannot be blocked: a layer then reports the wrong shape). A tensor of one pixel per
    /// channel has the same order in both layouts: only the label changes.
    func inLayout(_ target: TensorLayout) -> Tensor {
        if layout == target || !TensorLayout.canBlock(shape) { return self }
        let n = shape[0], c = shape[1], hw = shape[2] * shape[3], b = TensorLayout.block, blocks = c / b
        var result: Tensor
        if hw == 1 {
            result = self
        } else {
            let toBlocked = target == .channelBlocked
            result = Tensor(shape: shape) { out in
                withUnsafeBufferPointer { x in
                    let src = x.baseAddress!, dst = out.baseAddress!
                    // One task per image and block: 16 planes of the image on one side, one
                    // contiguous run of hw * 16 values on the other.
                    parallelFor(n * blocks) { t in
                        let planes = t * b * hw  // the same offset in both layouts
                        for lane in 0..<b {
                            let plane = planes + lane * hw
                            if toBlocked {
                                for p in 0..<hw { dst[planes + p * b + lane] = src[plane + p] }
                            } else {
                                for p in 0..<hw { dst[plane + p] = src[planes + p * b + lane] }
                            }
                        }
                    }
                }
            }
        }
        result.layout = target
        return result
    }
}
