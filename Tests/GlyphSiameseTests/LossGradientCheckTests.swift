import GlyphEngine
import Testing
@testable import GlyphSiamese

private typealias S = LossTestSupport

/// Every loss's analytic gradient against central finite differences on random embeddings.
/// Embeddings are spread (scale 1) against margins near 1, so most pairs and triplets sit
/// away from the hinge's kink; a step of 1e-2 keeps float32 rounding small beside it.
@Suite("Loss gradients match finite differences")
struct LossGradientCheckTests {
    static let step: Float = 1e-2
    static let tolerance: Float = 2e-3

    @Test func contrastive() throws {
        let x = S.randomEmbeddings(rows: 12, width: 5, seed: 1)
        let dissimilar = [true, false, true, true, false, true]
        let loss = ContrastiveLoss(margin: 2.5)
        let analytic = try loss(embeddings: x, classes: S.pairClasses(dissimilar: dissimilar))
        #expect(analytic.statistics.activeFraction > 0.5)
        let numeric = try S.numericalGradient(of: { try loss(embeddings: $0, classes: S.pairClasses(dissimilar: dissimilar)).loss },
                                              at: x, step: Self.step)
        #expect(S.maxRelativeError(analytic.gradient.scalars, numeric) < Self.tolerance)
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func explicitTriplets(squared: Bool, swap: Bool) throws {
        let x = S.randomEmbeddings(rows: 15, width: 4, seed: 2)
        let loss = TripletLoss(margin: 1.5, squared: squared, swap: swap)
        let analytic = try loss(embeddings: x, classes: S.tripletClasses(x))
        #expect(analytic.statistics.activeFraction > 0.3)
        let numeric = try S.numericalGradient(of: { try loss(embeddings: $0, classes: S.tripletClasses($0)).loss }, at: x, step: Self.step)
        #expect(S.maxRelativeError(analytic.gradient.scalars, numeric) < Self.tolerance)
    }

    /// Online mining makes the loss piecewise smooth: where a perturbation changes the mined
    /// triplets (semi-hard's choice jumps when a negative crosses D(a,p)) or the set of
    /// active triplets (batch-all's denominator), the loss itself jumps and no finite
    /// difference applies. Those coordinates are skipped; the test requires that most of
    /// them are checked.
    @Test(arguments: TripletMining.allCases)
    func minedTriplets(mining: TripletMining) throws {
        // P = 3 classes x K = 4 images, classes interleaved.
        let labels = (0..<12).map { $0 % 3 }
        for (squared, swap) in [(false, false), (true, false), (false, true)] {
            let x = S.randomEmbeddings(rows: 12, width: 6, seed: 3)
            let loss = TripletLoss(margin: 1, squared: squared, swap: swap)
            let analytic = try loss.mined(by: mining)(embeddings: x, classes: labels)
            #expect(analytic.statistics.activeFraction > 0.2)
            func selection(_ e: Tensor) throws -> [[Int]] {
                let chosen = mineTriplets(distances: pairwiseDistances(e), labels: labels, count: 12,
                                          margin: 1, mining: mining, seed: 0)
                let active = try loss.mined(by: mining)(embeddings: e, classes: labels).statistics.activeFraction
                return chosen.map { [$0.anchor, $0.positive, $0.negative] } + [[Int(active * 1_000_000)]]
            }
            let reference = try selection(x)
            var checked = 0, worst: Float = 0
            for i in 0..<x.count {
                var plus = x, minus = x
                plus.scalars[i] += Self.step
                minus.scalars[i] -= Self.step
                guard try selection(plus) == reference, try selection(minus) == reference else { continue }
                let numeric = (try loss.mined(by: mining)(embeddings: plus, classes: labels).loss
                    - loss.mined(by: mining)(embeddings: minus, classes: labels).loss) / (2 * Self.step)
                let exact = analytic.gradient.scalars[i]
                worst = max(worst, abs(numeric - exact) / max(1, abs(exact)))
                checked += 1
            }
            #expect(checked * 3 >= x.count * 2, "mining \(mining): only \(checked) of \(x.count) coordinates checked")
            #expect(worst < Self.tolerance, "mining \(mining), squared \(squared), swap \(swap): error \(worst)")
        }
    }
}
