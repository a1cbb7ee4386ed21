import GlyphEngine
import Testing
@testable import GlyphSiamese

private typealias S = LossTestSupport

@Suite("Triplet loss on hand-computed cases")
struct TripletLossTests {
    // a = (0,0), p = (1,0), n = (0,2): D(a,p) = 1, D(a,n) = 2.
    // dD(a,p)/da = (a-p)/1 = (-1,0); dD(a,n)/da = (a-n)/2 = (0,-1).
    let triplet = Tensor(shape: [3, 2], scalars: [0, 0, 1, 0, 0, 2])

    @Test func plainHinge() throws {
        // m = 2: L = 2 + 1 - 2 = 1; dL/da = (-1,0) - (0,-1) = (-1,1); dL/dp = (1,0); dL/dn = (0,-1).
        let out = try TripletLoss(margin: 2)(embeddings: triplet, classes: S.tripletClasses(triplet))
        #expect(S.close(out.loss, 1))
        #expect(S.close(out.gradient.scalars, [-1, 1, 1, 0, 0, -1]))
        #expect(out.statistics.activeFraction == 1)
        #expect(S.close(out.statistics.meanPositiveDistance, 1))
        #expect(S.close(out.statistics.meanNegativeDistance, 2))
    }

    @Test func squaredHingeDoublesTheSlope() throws {
        // m = 2.5: hinge 1.5, L = 2.25, dL = 2 * 1.5 = 3 times the plain gradient.
        let out = try TripletLoss(margin: 2.5, squared: true)(embeddings: triplet, classes: S.tripletClasses(triplet))
        #expect(S.close(out.loss, 2.25))
        #expect(S.close(out.gradient.scalars, [-3, 3, 3, 0, 0, -3]))
    }

    @Test func swapUsesTheCloserOfTheTwoNegativeDistances() throws {
        // a = (0,0), p = (1,0), n = (1,1.5): D(a,n) = 1.803, D(p,n) = 1.5 is used.
        // m = 1: L = 1 + 1 - 1.5 = 0.5. dL/da = (-1,0); dL/dp = (1,0) - (p-n)/1.5 = (1,1); dL/dn = (0,-1).
        let x = Tensor(shape: [3, 2], scalars: [0, 0, 1, 0, 1, 1.5])
        let swapped = try TripletLoss(margin: 1, swap: true)(embeddings: x, classes: S.tripletClasses(x))
        #expect(S.close(swapped.loss, 0.5))
        #expect(S.close(swapped.gradient.scalars, [-1, 0, 1, 1, 0, -1]))
        let plain = try TripletLoss(margin: 1)(embeddings: x, classes: S.tripletClasses(x))
        #expect(S.close(plain.loss, 2 - Float(1 + 2.25).squareRoot()))
    }

    @Test func negativeExactlyAtTheMarginHasNoLossNorGradient() throws {
        // D(a,n) - D(a,p) = 3 - 1 = m.
        let x = Tensor(shape: [3, 2], scalars: [0, 0, 1, 0, 0, 3])
        for squared in [false, true] {
            let out = try TripletLoss(margin: 2, squared: squared)(embeddings: x, classes: S.tripletClasses(x))
            #expect(out.loss == 0)
            #expect(out.gradient.scalars.allSatisfy { $0 == 0 })
            #expect(out.statistics.activeFraction == 0)
        }
    }

    @Test func zeroDistancesGiveTheMarginAndAFiniteGradient() throws {
        let x = Tensor(shape: [3, 2], scalars: [1, 1, 1, 1, 1, 1])
        for swap in [false, true] {
            let out = try TripletLoss(margin: 0.5, swap: swap)(embeddings: x, classes: S.tripletClasses(x))
            #expect(out.loss == 0.5)
            #expect(out.gradient.isFinite)
            #expect(out.gradient.scalars.allSatisfy { $0 == 0 })
        }
    }

    @Test func meanOverExplicitTriplets() throws {
        // Triplet 1 as in plainHinge (L = 1 at m = 2); triplet 2 easy (L = 0).
        let x = Tensor(shape: [6, 2], scalars: [0, 0, 1, 0, 0, 2, 0, 0, 0.1, 0, 5, 0])
        let out = try TripletLoss(margin: 2)(embeddings: x, classes: S.tripletClasses(x))
        #expect(S.close(out.loss, 0.5))
        #expect(S.close(out.gradient.scalars, [-0.5, 0.5, 0.5, 0, 0, -0.5, 0, 0, 0, 0, 0, 0]))
        #expect(out.statistics.activeFraction == 0.5)
        #expect(out.statistics.count == 2)
    }

    @Test func onlineLossOnExplicitTripletsMatchesTheExplicitLayout() throws {
        // One class pair: rows 0,1 class 0, row 2 class 1. Batch-hard gives anchors 0 and 1.
        let x = Tensor(shape: [3, 2], scalars: [0, 0, 1, 0, 0, 2])
        let online = try TripletLoss(margin: 2, triplets: .mined(.batchHard))(embeddings: x, classes: [0, 0, 1])
        // Anchor 0: (0,1,2): 2 + 1 - 2 = 1. Anchor 1: (1,0,2): 2 + 1 - sqrt(5).
        let expected = (1 + 3 - Float(5).squareRoot()) / 2
        #expect(S.close(online.loss, expected, 1e-4))
        #expect(online.statistics.count == 2)
    }

    @Test func badInputThrowsClearErrors() {
        let x = Tensor(shape: [4, 2], scalars: [0, 0, 1, 0, 0, 2, 3, 3])
        #expect(throws: EngineError.self) { try TripletLoss()(embeddings: x, classes: S.tripletClasses(x)) }
        #expect(throws: SiameseError.self) { try TripletLoss(triplets: .mined(.batchHard))(embeddings: x, classes: [0, 0, 1]) }
        // Every row its own class: no positive anywhere.
        #expect(throws: SiameseError.self) { try TripletLoss(triplets: .mined(.semiHard))(embeddings: x, classes: [0, 1, 2, 3]) }
        // Sampled triplets whose class ids do not say anchor, positive, negative.
        let three = x.slice(0..<3)
        #expect(throws: SiameseError.self) { try TripletLoss()(embeddings: three, classes: [0, 1, 1]) }
        #expect(throws: SiameseError.self) { try TripletLoss()(embeddings: three, classes: [0, 0, 0]) }
        #expect(throws: SiameseError.self) { try TripletLoss()(embeddings: three, classes: [0, 0]) }
        #expect(throws: SiameseError.self) { try TripletLoss(margin: -1)(embeddings: x.slice(0..<3), classes: S.tripletClasses(x.slice(0..<3))) }
    }
}
