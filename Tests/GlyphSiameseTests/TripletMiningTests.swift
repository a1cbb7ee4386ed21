import GlyphEngine
import GlyphRandom
import Testing
@testable import GlyphSiamese

private typealias S = LossTestSupport

/// A hand-built P x K batch of 1-D embeddings (so every distance is an absolute difference):
///
///     row     0    1    2    3    4     5
///     x       0    1    3.2  1.5  4    -2.5
///     class   0    0    0    1    1     1
@Suite("Triplet mining on a hand-built batch")
struct TripletMiningTests {
    let x: [Float] = [0, 1, 3.2, 1.5, 4, -2.5]
    let labels = [0, 0, 0, 1, 1, 1]
    var distances: [Float] { x.flatMap { a in x.map { b in abs(a - b) } } }

    func mined(_ rule: TripletMining) -> [[Int]] {
        mineTriplets(distances: distances, labels: labels, count: 6, margin: 1, mining: rule)
            .map { [$0.anchor, $0.positive, $0.negative] }
    }

    @Test func batchHardTakesFarthestPositiveAndClosestNegative() {
        let triplets = mined(.batchHard)
        #expect(triplets.count == 6)
        // Anchor 0: positives 1 (1), 2 (3.2) -> 2; negatives 3 (1.5), 4 (4), 5 (2.5) -> 3.
        #expect(triplets[0] == [0, 2, 3])
        // Anchor 3: positives 4 (2.5), 5 (4) -> 5; negatives 0 (1.5), 1 (0.5), 2 (1.7) -> 1.
        #expect(triplets[3] == [3, 5, 1])
        // Anchor 5: positives 3 (4), 4 (6.5) -> 4; negatives 0 (2.5), 1 (3.5), 2 (5.7) -> 0.
        #expect(triplets[5] == [5, 4, 0])
    }

    @Test func semiHardTakesTheClosestNegativeBeyondThePositive() {
        let triplets = mined(.semiHard)
        #expect(triplets.count == 12)  // one per ordered anchor-positive pair
        // (0,1): D(a,p) = 1; negatives beyond 1: 3 (1.5), 5 (2.5), 4 (4) -> 3.
        #expect(triplets.contains([0, 1, 3]))
        // (0,2): D(a,p) = 3.2; only 4 (4) lies beyond -> 4.
        #expect(triplets.contains([0, 2, 4]))
        // (3,4): D(a,p) = 2.5, no negative beyond (0.5, 1.5, 1.7): the farthest negative, 2.
        #expect(triplets.contains([3, 4, 2]))
        #expect(triplets.contains([3, 5, 2]))
        // (1,0): D(a,p) = 1; negatives 3 (0.5), 4 (3), 5 (3.5) -> 4, not the harder 3.
        #expect(triplets.contains([1, 0, 4]))
        #expect(!triplets.contains([1, 0, 3]))
    }

    @Test func batchAllTakesEveryValidTriplet() {
        let triplets = mined(.batchAll)
        #expect(triplets.count == 6 * 2 * 3)
        #expect(triplets.allSatisfy { labels[$0[0]] == labels[$0[1]] && $0[0] != $0[1] && labels[$0[2]] != labels[$0[0]] })
        #expect(Set(triplets.map { "\($0)" }).count == triplets.count)
    }

    @Test func randomIsValidAndReproducible() {
        let first = mineTriplets(distances: distances, labels: labels, count: 6, margin: 1, mining: .random, seed: 3)
        let again = mineTriplets(distances: distances, labels: labels, count: 6, margin: 1, mining: .random, seed: 3)
        #expect(first.count == 12)
        #expect(first.map { [$0.anchor, $0.positive, $0.negative] } == again.map { [$0.anchor, $0.positive, $0.negative] })
        #expect(first.allSatisfy { labels[$0.anchor] == labels[$0.positive] && labels[$0.negative] != labels[$0.anchor] })
    }

    @Test func malformedInputGivesNoTriplets() {
        #expect(mineTriplets(distances: [0, 1], labels: labels, count: 6, margin: 1, mining: .batchHard).isEmpty)
    }

    @Test func gramDistancesMatchDirectDistances() {
        let e = S.randomEmbeddings(rows: 9, width: 7, seed: 11, scale: 2)
        let fast = pairwiseDistances(e)
        var direct = [Float]()
        for i in 0..<9 {
            for j in 0..<9 {
                var s: Float = 0
                for k in 0..<7 { let d = e.scalars[i * 7 + k] - e.scalars[j * 7 + k]; s += d * d }
                direct.append(s.squareRoot())
            }
        }
        #expect(S.close(fast, direct, 1e-4))
        #expect((0..<9).allSatisfy { fast[$0 * 10] == 0 })
    }

    @Test func minedLossesMatchTheirHandChosenTriplets() throws {
        let embeddings = Tensor(shape: [6, 1], scalars: x)
        let loss = TripletLoss(margin: 1)
        for rule in [TripletMining.batchHard, .semiHard] {
            let expected = mined(rule).map { t in max(0, 1 + distances[t[0] * 6 + t[1]] - distances[t[0] * 6 + t[2]]) }
            let out = try loss.mined(by: rule)(embeddings: embeddings, classes: labels)
            #expect(S.close(out.loss, expected.reduce(0, +) / Float(expected.count), 1e-4), "\(rule)")
        }
        // Batch-all: the sum over all triplets divided by the number of active ones.
        let all = mined(.batchAll).map { t in max(0, 1 + distances[t[0] * 6 + t[1]] - distances[t[0] * 6 + t[2]]) }
        let active = all.filter { $0 > 0 }.count
        let out = try loss.mined(by: .batchAll)(embeddings: embeddings, classes: labels)
        #expect(S.close(out.loss, all.reduce(0, +) / Float(active), 1e-4))
        #expect(S.close(out.statistics.activeFraction, Float(active) / Float(all.count)))
    }
}

@Test func sparseAndDenseDistanceGradientsAgree() {
    let x = LossTestSupport.randomEmbeddings(rows: 10, width: 6, seed: 8)
    let distances = pairwiseDistances(x)
    var generator = GlyphRandom.SeededGenerator(seed: 8)
    // A few non-zero coefficients, as batch-hard leaves them, plus a zero-distance pair's.
    var coefficients = [Float](repeating: 0, count: 100)
    for _ in 0..<15 { coefficients[generator.nextInt(below: 100)] = generator.nextNormal() }
    let dense = gradientFromDistanceCoefficients(x, distances: distances, coefficients: coefficients, path: .dense)
    let sparse = gradientFromDistanceCoefficients(x, distances: distances, coefficients: coefficients, path: .sparse)
    #expect(LossTestSupport.close(dense.scalars, sparse.scalars, 1e-4))
    #expect(dense.scalars.contains { $0 != 0 })
}
