import GlyphRandom
import Testing
@testable import GlyphSiamese

@Suite("N-way scoring")
struct NWayTests {
    @Test func constantModelScoresChance() {
        var generator = SeededGenerator(seed: 42)
        let trials = 20_000
        for n in [5, 20] {
            var correct = 0.0
            for t in 0..<trials {
                correct += nWayCorrect(distancesToClasses: [Float](repeating: 0.7, count: n),
                                       trueClass: t % n, generator: &generator)
            }
            let estimate = AccuracyEstimate(correct: correct, trials: trials)
            let chance = 1 / Double(n)
            // Within 4 standard errors of 1/N.
            #expect(abs(estimate.accuracy - chance) < 4 * (chance * (1 - chance) / Double(trials)).squareRoot(),
                    "\(n)-way: \(estimate.accuracy)")
        }
    }

    @Test func oracleScoresEverything() {
        var generator = SeededGenerator(seed: 1)
        var correct = 0.0
        for t in 0..<400 {
            var d = [Float](repeating: 1, count: 20)
            d[t % 20] = 0
            correct += nWayCorrect(distancesToClasses: d, trueClass: t % 20, generator: &generator)
        }
        #expect(correct == 400)
    }

    @Test func strictLossesAndTies() {
        var generator = SeededGenerator(seed: 2)
        #expect(nWayCorrect(distancesToClasses: [0.1, 0.2, 0.3], trueClass: 1, generator: &generator) == 0)
        #expect(nWayCorrect(distancesToClasses: [0.3, .nan, 0.5], trueClass: 1, generator: &generator) == 0)
        #expect(nWayCorrect(distancesToClasses: [0.3, 0.2], trueClass: 5, generator: &generator) == 0)
        // True class tied with one other: right half of the time.
        var correct = 0.0
        for _ in 0..<4000 {
            correct += nWayCorrect(distancesToClasses: [0.2, 0.2, 0.9], trueClass: 0, generator: &generator)
        }
        #expect(abs(correct / 4000 - 0.5) < 0.04)
    }

    @Test func shotAggregationAndConfidenceInterval() {
        #expect(ShotAggregation.nearest.aggregate([0.5, 0.2, .nan]) == 0.2)
        #expect(ShotAggregation.mean.aggregate([0.5, 0.25]) == 0.375)
        #expect(ShotAggregation.mean.aggregate([]) == .infinity)
        let e = AccuracyEstimate(correct: 50, trials: 100)
        #expect(e.accuracy == 0.5 && e.trials == 100)
        #expect(abs(e.ci95 - 0.098) < 1e-12)
        #expect(AccuracyEstimate(correct: 0, trials: 0).ci95 == 0)
    }
}

@Suite("Modified Hausdorff distance")
struct ModifiedHausdorffTests {
    /// A side x side image with ink at the given (row, column) pixels.
    func image(side: Int, ink: [(Int, Int)]) -> [Float] {
        var pixels = [Float](repeating: 0, count: side * side)
        for (r, c) in ink { pixels[r * side + c] = 1 }
        return pixels
    }

    @Test func zeroWithItselfAndSymmetric() {
        var generator = SeededGenerator(seed: 9)
        let a = (0..<400).map { _ in generator.nextUniform() > 0.8 ? Float(1) : 0 }
        let b = (0..<400).map { _ in generator.nextUniform() > 0.9 ? Float(1) : 0 }
        #expect(modifiedHausdorffDistance(a, a, side: 20) == 0)
        let ab = modifiedHausdorffDistance(a, b, side: 20)
        #expect(ab > 0 && ab.isFinite)
        #expect(ab == modifiedHausdorffDistance(b, a, side: 20))
    }

    @Test func handComputedCases() {
        // Single pixels anywhere: centring puts both at the origin.
        #expect(modifiedHausdorffDistance(image(side: 5, ink: [(0, 0)]), image(side: 5, ink: [(4, 3)]), side: 5) == 0)
        // A: three in a row, centred (0,-1), (0,0), (0,1); B: two, centred (0,-1), (0,1).
        // A -> B: nearest distances 0, 1, 0, mean 1/3; B -> A: 0, 0. MHD = 1/3.
        let a = image(side: 5, ink: [(2, 0), (2, 1), (2, 2)])
        let b = image(side: 5, ink: [(1, 2), (1, 4)])
        #expect(abs(modifiedHausdorffDistance(a, b, side: 5) - 1.0 / 3) < 1e-6)
        // A: (0,0), (0,2) centred (0,-1), (0,1); B: (0,0), (2,0) centred (-1,0), (1,0):
        // every nearest distance is sqrt 2.
        let c = image(side: 3, ink: [(0, 0), (0, 2)]), d = image(side: 3, ink: [(0, 0), (2, 0)])
        #expect(abs(modifiedHausdorffDistance(c, d, side: 3) - Float(2).squareRoot()) < 1e-6)
        // Ink is value > 0.5.
        var faint = a
        faint[0] = 0.4
        #expect(modifiedHausdorffDistance(faint, a, side: 5) == 0)
    }

    @Test func blankAndMalformedImages() {
        let blank = [Float](repeating: 0, count: 25)
        let inked = image(side: 5, ink: [(1, 1)])
        #expect(modifiedHausdorffDistance(blank, blank, side: 5) == 0)
        #expect(modifiedHausdorffDistance(blank, inked, side: 5) == .infinity)
        #expect(modifiedHausdorffDistance(inked, [1, 0], side: 5) == .infinity)
    }
}
