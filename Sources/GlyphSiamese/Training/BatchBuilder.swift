import GlyphData
import GlyphEngine
import GlyphRandom

/// Turns image indices of a dataset into one input tensor `[N, 1, side, side]`, applying the
/// random affine augmentation when one is given.
///
/// Each image draws its distortion from its own generator, derived from the batch seed and the
/// image's position, so a batch is the same whatever the thread count and however it is resumed.
public struct BatchBuilder: Sendable {
    public let dataset: GlyphDataset
    public let augmentation: AffineAugmentation?

    public init(dataset: GlyphDataset, augmentation: AffineAugmentation? = nil) {
        self.dataset = dataset
        self.augmentation = augmentation
    }

    public func batch(_ indices: [Int], seed: UInt64 = 0) -> Tensor {
        let side = dataset.side
        let n = side * side
        var tensor = Tensor(zeros: [indices.count, 1, side, side])
        let dataset = self.dataset
        let augmentation = self.augmentation
        tensor.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let base = out.baseAddress!
            parallelFor(indices.count) { position in
                let destination = base + position * n
                guard let augmentation else {
                    dataset.copyImage(indices[position], into: destination)
                    return
                }
                var source = [Float](repeating: 0, count: n)
                source.withUnsafeMutableBufferPointer { dataset.copyImage(indices[position], into: $0.baseAddress!) }
                var generator = SeededGenerator(seed: seed).derived(UInt64(position))
                source.withUnsafeBufferPointer {
                    augmentation.apply($0.baseAddress!, to: destination, side: side, generator: &generator)
                }
            }
        }
        return tensor
    }
}
