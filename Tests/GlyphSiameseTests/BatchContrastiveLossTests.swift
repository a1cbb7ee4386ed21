import GlyphEngine
import Testing
@testable import GlyphSiamese

private typealias S = LossTestSupport

@Suite("Contrastive loss over all pairs of a batch")
struct BatchContrastiveLossTests {
    @Test func handComputedBatch() throws {
        // Rows on a line: a0 = 0, a1 = 1 (class 0); b0 = 3, b1 = 0.5 (class 1); margin 2.
        // Same pairs: (a0,a1) D=1, (b0,b1) D=2.5 -> mean of 1/2 D^2 = (0.5 + 3.125) / 2 = 1.8125.
        // Different pairs: (a0,b0) D=3 inactive, (a0,b1) D=0.5 active, (a1,b0) D=2 at the margin: inactive,
        // (a1,b1) D=0.5 active -> mean over the 2 active of 1/2 (2 - 0.5)^2 = 1.125.
        let x = Tensor(shape: [4, 1], scalars: [0, 1, 3, 0.5])
        let out = try ContrastiveLoss(margin: 2, pairs: .all)(embeddings: x, classes: [0, 0, 1, 1])
        #expect(S.close(out.loss, 1.8125 + 1.125))
        // dL/dx_a0 = same: (0 - 1)/2 = -0.5; different (a0,b1): -(1.5)/2 * d D/dx_a0 where D = 0.5 - 0 -> dD/dx_a0 = -1 -> +0.75
        #expect(S.close(out.gradient.scalars[0], -0.5 + 0.75))
        #expect(S.close(out.statistics.activeFraction, 4.0 / 6.0))
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        let x = S.randomEmbeddings(rows: 12, width: 5, seed: 4)
        let classes = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
        let loss = ContrastiveLoss(margin: 2.5, pairs: .all)
        let analytic = try loss(embeddings: x, classes: classes)
        let numeric = try S.numericalGradient(of: { try loss(embeddings: $0, classes: classes).loss }, at: x, step: 1e-2)
        #expect(S.maxRelativeError(analytic.gradient.scalars, numeric) < 2e-3)
    }

    @Test func refusesABatchWithoutSameOrDifferentPairs() {
        let x = S.randomEmbeddings(rows: 4, width: 3, seed: 1)
        #expect(throws: SiameseError.self) { try ContrastiveLoss(pairs: .all)(embeddings: x, classes: [0, 1, 2, 3]) }
        #expect(throws: SiameseError.self) { try ContrastiveLoss(pairs: .all)(embeddings: x, classes: [0, 0, 0, 0]) }
    }
}
