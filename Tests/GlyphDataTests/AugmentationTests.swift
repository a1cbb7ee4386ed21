import Foundation
import GlyphRandom
import Testing
@testable import GlyphData

@Suite("augmentation")
struct AugmentationTests {
    func warp(_ image: [Float], _ t: GlyphData.AffineTransform, side: Int) -> [Float] {
        var out = [Float](repeating: -1, count: side * side)
        image.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { t.apply(src.baseAddress!, to: $0.baseAddress!, side: side) } }
        return out
    }

    @Test func identityChangesNothing() {
        var g = SeededGenerator(seed: 1)
        for side in [105, 28] {
            let image = (0..<(side * side)).map { _ in g.nextUniform() }
            #expect(warp(image, .identity, side: side) == image)
        }
        // Switched off entirely, the random augmentation is the identity too.
        let off = AffineAugmentation(probability: 0)
        let image = (0..<(105 * 105)).map { Float($0 % 7) / 7 }
        var out = [Float](repeating: 0, count: image.count)
        image.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { off.apply(s.baseAddress!, to: $0.baseAddress!, side: 105, generator: &g) } }
        #expect(out == image)
    }

    @Test func knownRotationMovesAKnownPixel() {
        // 90 degrees clockwise (y down) about the centre (52, 52): (62, 52) -> (52, 62).
        var image = [Float](repeating: 0, count: 105 * 105)
        image[52 * 105 + 62] = 1
        let turned = warp(image, .rotation(degrees: 90), side: 105)
        #expect(abs(turned[62 * 105 + 52] - 1) < 1e-4)
        #expect(abs(turned.reduce(0, +) - 1) < 1e-3)
        let p = GlyphData.AffineTransform.rotation(degrees: 90).map(x: 62, y: 52, side: 105)
        #expect(abs(p.x - 52) < 1e-4 && abs(p.y - 62) < 1e-4)
        // A 10 degree rotation: the pixel at (92, 52) (40 to the right) lands at 52 + 40(cos, sin).
        let q = GlyphData.AffineTransform.rotation(degrees: 10).map(x: 92, y: 52, side: 105)
        #expect(abs(q.x - (52 + 40 * 0.98481)) < 1e-3 && abs(q.y - (52 + 40 * 0.17365)) < 1e-3)
        // Translation by whole pixels shifts exactly.
        let shifted = warp(image, GlyphData.AffineTransform(a: 1, b: 0, c: 0, d: 1, tx: 2, ty: -3), side: 105)
        #expect(shifted[49 * 105 + 64] == 1 && shifted.reduce(0, +) == 1)
        // A half-pixel shift splits the ink evenly (bilinear), and ink leaving the frame is gone.
        let half = warp(image, GlyphData.AffineTransform(a: 1, b: 0, c: 0, d: 1, tx: 0.5, ty: 0), side: 105)
        #expect(half[52 * 105 + 62] == 0.5 && half[52 * 105 + 63] == 0.5)
        let out = warp(image, GlyphData.AffineTransform(a: 1, b: 0, c: 0, d: 1, tx: 60, ty: 0), side: 105)
        #expect(out.allSatisfy { $0 == 0 })
        // Degenerate transforms blank the image instead of crashing.
        #expect(warp(image, GlyphData.AffineTransform(a: 0, b: 0, c: 0, d: 0), side: 105).allSatisfy { $0 == 0 })
        #expect(warp(image, GlyphData.AffineTransform(a: .nan, b: 0, c: 0, d: 1), side: 105).allSatisfy { $0 == 0 })
        #expect(warp(image, GlyphData.AffineTransform(a: 1e30, b: 1e30, c: 0, d: 1e-25), side: 105).allSatisfy { $0 == 0 })
    }

    @Test func augmentationIsSeededAndWithinBounds() {
        let aug = AffineAugmentation()
        var g1 = SeededGenerator(seed: 4), g2 = SeededGenerator(seed: 4)
        var rotations = 0, identities = 0
        for _ in 0..<400 {
            let t = aug.sample(side: 105, generator: &g1)
            #expect(t == aug.sample(side: 105, generator: &g2))
            #expect(abs(t.tx) <= 2 && abs(t.ty) <= 2)
            let det = t.a * t.d - t.b * t.c
            #expect(det > 0.8 * 0.8 * (1 - 0.09) - 1e-3 && det < 1.2 * 1.2 * 1.09 + 1e-3)
            if t.b != 0 && t.c != 0 && t.b == -t.c { rotations += 1 }
            if t == .identity { identities += 1 }
        }
        // Each of 4 components is on with p = 0.5: all off in about 1/16 of the draws.
        #expect(identities > 400 / 16 / 3 && identities < 400 / 16 * 3)
        #expect(rotations > 0)
        // At 28 pixels the translation scales down.
        for _ in 0..<100 {
            let t = aug.sample(side: 28, generator: &g1)
            #expect(abs(t.tx) <= 2 * 28 / 105 + 1e-5)
        }
    }

    @Test func augmentingABatchIsFast() {
        let aug = AffineAugmentation()
        var g = SeededGenerator(seed: 2)
        for side in [105, 28] {
            var batch = (0..<(256 * side * side)).map { _ in g.nextUniform() }
            // Best of 3 (the first also pays for warming up), on the same batch, augmented in place.
            var best = Double.infinity
            for _ in 0..<3 {
                let start = Date()
                batch.withUnsafeMutableBufferPointer { aug.applyInPlace($0.baseAddress!, count: 256, side: side, generator: &g) }
                best = min(best, Date().timeIntervalSince(start) * 1000)
            }
            let ms = best
            print("augment 256 images at \(side)x\(side): \(String(format: "%.2f", ms)) ms")
            #expect(batch.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1.0001 })
            #expect(ms < 5000)
        }
    }
}
