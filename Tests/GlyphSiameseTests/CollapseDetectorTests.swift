import GlyphEngine
import Testing
@testable import GlyphSiamese

@Suite("Collapse detection")
struct CollapseDetectorTests {
    let collapsed = LossStatistics(activeFraction: 1, meanPositiveDistance: 1e-4, meanNegativeDistance: 2e-4,
                                   meanEmbeddingNorm: 3.5, count: 128)
    let healthy = LossStatistics(activeFraction: 0.3, meanPositiveDistance: 0.4, meanNegativeDistance: 1.1,
                                 meanEmbeddingNorm: 1, count: 128)

    @Test func warnsOnceAfterPatienceCollapsedObservations() throws {
        var detector = CollapseDetector(margin: 1, patience: 3)
        #expect(detector.observe(collapsed) == nil)
        #expect(detector.observe(collapsed) == nil)
        let observed = detector.observe(collapsed)
        let warning = try #require(observed)
        #expect(warning.contains("collapsed"))
        #expect(warning.contains("0.0001"))   // mean D(a,p)
        #expect(warning.contains("0.0002"))   // mean D(a,n)
        #expect(warning.contains("3.5"))      // embedding norm
        #expect(warning.contains("active fraction 1"))
        #expect(detector.observe(collapsed) == nil)  // no flood
        // After a recovery, a new collapse is reported again.
        #expect(detector.observe(healthy) == nil)
        for _ in 0..<2 { #expect(detector.observe(collapsed) == nil) }
        #expect(detector.observe(collapsed) != nil)
    }

    @Test func staysQuietOnHealthyStatistics() {
        var detector = CollapseDetector(margin: 1, patience: 1)
        for _ in 0..<50 { #expect(detector.observe(healthy) == nil) }
        // Positives pulled together while negatives stay apart is success, not collapse.
        let converged = LossStatistics(activeFraction: 0.01, meanPositiveDistance: 1e-3, meanNegativeDistance: 1.5,
                                       meanEmbeddingNorm: 1, count: 128)
        #expect(detector.observe(converged) == nil)
    }

    /// Statistics logged by `glyphsim train --mining batch-hard --lr 0.1` (margin 0.3) on Omniglot
    /// as it collapsed (validation pair accuracy 0.75, loss stuck near the margin), and by the
    /// default batch-all run, which trains.
    @Test func aMeasuredCollapseIsCaughtAndAHealthyRunIsNot() {
        let collapsing = LossStatistics(activeFraction: 1, meanPositiveDistance: 0.1485, meanNegativeDistance: 0.1012,
                                        meanEmbeddingNorm: 1, count: 256)
        var detector = CollapseDetector(margin: 0.3)
        #expect(detector.observe(collapsing) == nil)
        #expect(detector.observe(collapsing) == nil)
        #expect(detector.observe(collapsing) != nil)
        let start = LossStatistics(activeFraction: 1, meanPositiveDistance: 0.58, meanNegativeDistance: 0.41,
                                   meanEmbeddingNorm: 1, count: 256)
        // Logged by the default run (batch-all, margin 0.3) after 5 steps and in epoch 5.
        let early = LossStatistics(activeFraction: 0.9033, meanPositiveDistance: 0.591, meanNegativeDistance: 0.701,
                                   meanEmbeddingNorm: 1, count: 190_000)
        let training = LossStatistics(activeFraction: 0.0653, meanPositiveDistance: 0.6157, meanNegativeDistance: 1.3818,
                                      meanEmbeddingNorm: 1, count: 190_000)
        var quiet = CollapseDetector(margin: 0.3, patience: 1)
        #expect(quiet.observe(start) == nil)
        #expect(quiet.observe(early) == nil)
        #expect(quiet.observe(training) == nil)
    }

    @Test func realLossOnCollapsedEmbeddingsTriggersIt() throws {
        // Every embedding the same point: the triplet loss sits at its margin.
        let x = LossTestSupport.randomEmbeddings(rows: 1, width: 8, seed: 5)
        let batch = Tensor.concatenate(Array(repeating: x, count: 12))
        let out = try TripletLoss(margin: 0.2, triplets: .mined(.batchHard))(embeddings: batch, classes: (0..<12).map { $0 % 4 })
        #expect(abs(out.loss - 0.2) < 1e-3)
        var detector = CollapseDetector(margin: 0.2, patience: 2)
        _ = detector.observe(out.statistics)
        #expect(detector.observe(out.statistics) != nil)
    }
}
