import GlyphEngine
import Testing
@testable import GlyphSiamese

private typealias S = LossTestSupport

@Suite("Contrastive loss on hand-computed cases")
struct ContrastiveLossTests {
    @Test func similarPairIsHalfSquaredDistance() throws {
        // D = |(0,0) - (3,4)| = 5: L = 1/2 * 25; dL/dx1 = x1 - x2.
        let x = Tensor(shape: [2, 2], scalars: [0, 0, 3, 4])
        let out = try ContrastiveLoss(margin: 1)(embeddings: x, classes: S.pairClasses(dissimilar: [false]))
        #expect(out.loss == 12.5)
        #expect(out.gradient.scalars == [-3, -4, 3, 4])
        #expect(out.statistics.meanPositiveDistance == 5)
        #expect(out.statistics.activeFraction == 1)
        #expect(out.statistics.count == 1)
    }

    @Test func dissimilarPairInsideTheMargin() throws {
        // D = 0.5, m = 1: L = 1/2 (0.5)^2 = 0.125; dL/dD = -(m - D) = -0.5;
        // dD/dx1 = (x1 - x2)/D = (-0.6, -0.8), so dL/dx1 = (0.3, 0.4).
        let x = Tensor(shape: [2, 2], scalars: [0, 0, 0.3, 0.4])
        let out = try ContrastiveLoss(margin: 1)(embeddings: x, classes: S.pairClasses(dissimilar: [true]))
        #expect(S.close(out.loss, 0.125))
        #expect(S.close(out.gradient.scalars, [0.3, 0.4, -0.3, -0.4]))
        #expect(S.close(out.statistics.meanNegativeDistance, 0.5))
    }

    @Test func dissimilarPairExactlyAtTheMarginHasNoLossNorGradient() throws {
        let x = Tensor(shape: [2, 2], scalars: [0, 0, 3, 4])  // D = 5 exactly
        let out = try ContrastiveLoss(margin: 5)(embeddings: x, classes: S.pairClasses(dissimilar: [true]))
        #expect(out.loss == 0)
        #expect(out.gradient.scalars == [0, 0, 0, 0])
        #expect(out.statistics.activeFraction == 0)
    }

    @Test func zeroDistanceGivesFiniteGradients() throws {
        let x = Tensor(shape: [4, 3], scalars: [1, 2, 3, 1, 2, 3, -1, 0, 5, -1, 0, 5])
        // Pair 0 similar at D = 0: L = 0. Pair 1 dissimilar at D = 0: L = 1/2 m^2 = 2,
        // with the subgradient 0 of D at 0. Mean over the two pairs: 1.
        let out = try ContrastiveLoss(margin: 2)(embeddings: x, classes: [0, 0, 1, 2])
        #expect(out.loss == 1)
        #expect(out.gradient.isFinite)
        #expect(out.gradient.scalars.allSatisfy { $0 == 0 })
    }

    @Test func batchLossIsTheMeanOverPairs() throws {
        let x = Tensor(shape: [4, 2], scalars: [0, 0, 3, 4, 0, 0, 0.3, 0.4])
        let out = try ContrastiveLoss(margin: 1)(embeddings: x, classes: [7, 7, 7, 8])
        #expect(S.close(out.loss, (12.5 + 0.125) / 2))
        #expect(S.close(out.gradient.scalars, [-1.5, -2, 1.5, 2, 0.15, 0.2, -0.15, -0.2]))
        #expect(out.statistics.count == 2)
    }

    @Test func badInputThrowsClearErrors() {
        let odd = Tensor(shape: [3, 2], scalars: [0, 0, 1, 1, 2, 2])
        #expect(throws: EngineError.self) { try ContrastiveLoss()(embeddings: odd, classes: S.pairClasses(dissimilar: [true])) }
        let x = Tensor(shape: [2, 2], scalars: [0, 0, 1, 1])
        #expect(throws: SiameseError.self) { try ContrastiveLoss()(embeddings: x, classes: S.pairClasses(dissimilar: [true, false])) }
        #expect(throws: SiameseError.self) { try ContrastiveLoss()(embeddings: x, classes: [2]) }
        #expect(throws: SiameseError.self) { try ContrastiveLoss(pairs: .all)(embeddings: x, classes: [0, 1, 2]) }
        #expect(throws: SiameseError.self) { try ContrastiveLoss(margin: 0)(embeddings: x, classes: S.pairClasses(dissimilar: [true])) }
    }
}
