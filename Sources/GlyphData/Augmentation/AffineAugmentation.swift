import GlyphRandom

/// Koch et al.'s random affine distortion, drawn afresh for every image during training:
/// rotation θ in ±`rotationDegrees`, shear ρx, ρy in ±`shear`, scale sx, sy in `scaleRange`,
/// translation tx, ty in ±`translationPixels`; each of the four components is switched on
/// independently with `probability`. Translation is in pixels of a 105-pixel image and is scaled
/// with the image, so a 28-pixel preset sees the same distortion.
public struct AffineAugmentation: Sendable, Codable, Equatable {
    public var rotationDegrees: Float = 10
    public var shear: Float = 0.3
    public var scaleRange: ClosedRange<Float> = 0.8...1.2
    public var translationPixels: Float = 2
    public var probability: Float = 0.5

    public init(rotationDegrees: Float = 10, shear: Float = 0.3, scaleRange: ClosedRange<Float> = 0.8...1.2,
                translationPixels: Float = 2, probability: Float = 0.5) {
        self.rotationDegrees = rotationDegrees
        self.shear = shear
        self.scaleRange = scaleRange
        self.translationPixels = translationPixels
        self.probability = probability
    }

    /// Draws one transform for an image of `side` pixels. Always consumes the same number of
    /// random values, so the stream stays aligned whatever is switched on.
    public func sample(side: Int, generator g: inout SeededGenerator) -> AffineTransform {
        func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * g.nextUniform() }
        let onRotation = g.nextUniform() < probability, rotation = uniform(-rotationDegrees, rotationDegrees)
        let onShear = g.nextUniform() < probability, shx = uniform(-shear, shear), shy = uniform(-shear, shear)
        let onScale = g.nextUniform() < probability
        let sx = uniform(scaleRange.lowerBound, scaleRange.upperBound), sy = uniform(scaleRange.lowerBound, scaleRange.upperBound)
        let onShift = g.nextUniform() < probability
        let pixels = translationPixels * Float(side) / 105
        let tx = uniform(-pixels, pixels), ty = uniform(-pixels, pixels)
        return AffineTransform(rotationDegrees: onRotation ? rotation : 0,
                               shear: onShear ? (shx, shy) : (0, 0),
                               scale: onScale ? (sx, sy) : (1, 1),
                               translation: onShift ? (tx, ty) : (0, 0))
    }

    /// Distorts one `side*side` image from `source` into `destination` (bilinear, about the centre).
    public func apply(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, side: Int,
                      generator: inout SeededGenerator) {
        sample(side: side, generator: &generator).apply(source, to: destination, side: side)
    }

    /// Distorts `count` consecutive `side*side` images in place.
    public func applyInPlace(_ images: UnsafeMutablePointer<Float>, count: Int, side: Int, generator: inout SeededGenerator) {
        let n = side * side
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { scratch.deallocate() }
        for i in 0..<count {
            scratch.update(from: images + i * n, count: n)
            apply(scratch, to: images + i * n, side: side, generator: &generator)
        }
    }
}
