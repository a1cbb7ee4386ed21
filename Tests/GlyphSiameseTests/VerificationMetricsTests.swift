import GlyphEngine
import Testing
@testable import GlyphSiamese

@Suite("Verification metrics on hand-made cases")
struct VerificationMetricsTests {
    @Test func thresholdIsTheMidpointOfTheBestCut() {
        #expect(bestThreshold(distances: [0.9, 0.1, 0.8, 0.2], same: [false, true, false, true]) == 0.5)
        // One same pair among the different ones: the cut after 0.3 (4 of 5 right) beats the others.
        let t = bestThreshold(distances: [0.1, 0.3, 0.35, 0.6, 0.9], same: [true, true, false, false, false])
        #expect(abs(t - 0.325) < 1e-6)
    }

    @Test func thresholdUsesOnlyTheValuesItIsGiven() {
        // Chosen on validation pairs; the scored pairs would prefer a threshold near 2, but
        // verify() applies the given threshold without looking for a better one.
        let validation: [Float] = [0.2, 0.4, 1.0, 1.2]
        let t = bestThreshold(distances: validation, same: [true, true, false, false])
        #expect(abs(t - 0.7) < 1e-6)
        let scored: [Float] = [1.5, 1.8, 2.5, 3.0]
        let counts = verify(distances: scored, same: [true, true, false, false], threshold: t)
        #expect(counts.truePredictions == 2 && counts.falsePredictions == 2 && counts.pairs == 4)
        #expect(counts.accuracy == 0.5)
        // The same inputs always give the same threshold, whatever else exists.
        #expect(bestThreshold(distances: validation, same: [true, true, false, false]) == t)
    }

    @Test func thresholdEdgeCases() {
        #expect(bestThreshold(distances: [], same: []) == 0)
        // All same: everything should be called same, threshold above every distance.
        #expect(bestThreshold(distances: [0.5, 2], same: [true, true]) > 2)
        // All different: below every distance.
        #expect(bestThreshold(distances: [0.5, 2], same: [false, false]) < 0.5)
        // NaN and infinite distances never count as same.
        let t = bestThreshold(distances: [0.1, .nan, .infinity, 0.9], same: [true, false, false, false])
        #expect(t > 0.1 && t < 0.9)
        #expect(verify(distances: [.nan], same: [true], threshold: .infinity).falsePredictions == 1)
    }

    @Test func verifyCountsTrueAndFalse() {
        let counts = verify(distances: [0.1, 0.5, 0.5, 0.9], same: [true, false, true, true], threshold: 0.5)
        // 0.1 same ok, 0.5 diff called same (wrong), 0.5 same ok, 0.9 same called different (wrong).
        #expect(counts == VerificationCounts(truePredictions: 2, falsePredictions: 2))
        #expect(counts.accuracy == 0.5)
    }

    @Test func aucOfPerfectReversedAndIdenticalDistributions() {
        #expect(rocAUC(distances: [0.1, 0.2, 0.8, 0.9], same: [true, true, false, false]) == 1)
        #expect(rocAUC(distances: [0.1, 0.2, 0.8, 0.9], same: [false, false, true, true]) == 0)
        #expect(rocAUC(distances: [0.5, 0.5, 0.5, 0.5], same: [true, false, true, false]) == 0.5)
        #expect(rocAUC(distances: [0.1, 0.7, 0.1, 0.7], same: [true, true, false, false]) == 0.5)
        // Same {0.1, 0.4}, different {0.3, 0.5}: 3 of the 4 (same, different) pairs are ordered right.
        #expect(rocAUC(distances: [0.1, 0.4, 0.3, 0.5], same: [true, true, false, false]) == 0.75)
        #expect(rocAUC(distances: [0.1], same: [true]) == 0.5)
    }

    @Test func equalErrorRate() {
        #expect(GlyphSiamese.equalErrorRate(distances: [0.1, 0.2, 0.8, 0.9], same: [true, true, false, false]) == 0)
        #expect(GlyphSiamese.equalErrorRate(distances: [0.5, 0.5, 0.5, 0.5], same: [true, false, true, false]) == 0.5)
        // Same {0.1, 0.2, 0.6}, different {0.4, 0.7, 0.8}: at t = 0.4, FPR = FNR = 1/3.
        let eer = GlyphSiamese.equalErrorRate(distances: [0.1, 0.2, 0.6, 0.4, 0.7, 0.8],
                                              same: [true, true, true, false, false, false])
        #expect(abs(eer - 1.0 / 3) < 1e-12)
    }

    @Test func rocCurveShapes() {
        let perfect = rocCurve(distances: [0.1, 0.2, 0.8, 0.9], same: [true, true, false, false])
        #expect(perfect.count == 101)
        #expect(perfect.allSatisfy { $0.truePositiveRate == 1 })
        #expect(perfect.first!.falsePositiveRate == 0 && perfect.last!.falsePositiveRate == 1)
        let chance = rocCurve(distances: [0.5, 0.5, 0.5, 0.5], same: [true, false, true, false], points: 11)
        #expect(chance.count == 11)
        #expect(chance.allSatisfy { abs($0.truePositiveRate - $0.falsePositiveRate) < 1e-12 })
    }
}

@Test func rowAndPairDistances() throws {
    let x = Tensor(shape: [4, 2], scalars: [0, 0, 3, 4, 1, 1, 1, 1])
    #expect(try pairDistances(x) == [5, 0])
    #expect(try rowDistances(x, pairs: [(0, 1), (1, 3), (2, 2)]) == [5, Float(13).squareRoot(), 0])
    #expect(throws: EngineError.self) { try rowDistances(x, pairs: [(0, 4)]) }
    #expect(throws: EngineError.self) { try pairDistances(x.slice(0..<3)) }
}
