import Foundation
import GlyphEngine
import Testing
@testable import GlyphSiamese

private typealias S = LossTestSupport

/// Online mining over a full-size batch (256 embeddings, P = 64 x K = 4). The default suite
/// checks what the fast path computes; its speed is a benchmark, printed, never asserted.
@Suite("Mining at batch size")
struct MiningSpeedTests {
    static let classes = (0..<256).map { $0 / 4 }

    /// The mined loss (distances and gradient through `gemm`) equals the sampled-triplet loss
    /// (direct per-row distances) over the same triplets, its gradient scattered back to the rows.
    @Test(arguments: [64, 4096])
    func batchHardMatchesTheSameTripletsScoredDirectly(width: Int) throws {
        let x = S.randomEmbeddings(rows: 256, width: width, seed: 4)
        let loss = TripletLoss(margin: 0.2, triplets: .mined(.batchHard))
        let output = try loss(embeddings: x, classes: Self.classes)
        #expect(output.statistics.count == 256)  // one triplet per anchor

        let triplets = mineTriplets(distances: pairwiseDistances(x), labels: Self.classes, count: 256,
                                    margin: 0.2, mining: .batchHard)
        let rows = triplets.flatMap { [$0.anchor, $0.positive, $0.negative] }
        let explicit = Tensor(shape: [rows.count, width], scalars: rows.flatMap { Array(x.scalars[$0 * width..<($0 + 1) * width]) })
        let direct = try TripletLoss(margin: 0.2)(embeddings: explicit, classes: S.tripletClasses(explicit))
        var scattered = [Float](repeating: 0, count: x.count)
        for (position, row) in rows.enumerated() {
            for k in 0..<width { scattered[row * width + k] += direct.gradient.scalars[position * width + k] }
        }
        #expect(S.close(output.loss, direct.loss, 1e-3))
        #expect(S.maxRelativeError(output.gradient.scalars, scattered) < 1e-3)
    }

    /// `GLYPHSIM_BENCH=1 swift test -c release --filter MiningSpeed`: the time per call.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["GLYPHSIM_BENCH"] == "1", "a benchmark: set GLYPHSIM_BENCH=1 to run it"),
          arguments: [64, 4096])
    func benchmarkBatchHard(width: Int) throws {
        let x = S.randomEmbeddings(rows: 256, width: width, seed: 4)
        let loss = TripletLoss(margin: 0.2, triplets: .mined(.batchHard))
        _ = try loss(embeddings: x, classes: Self.classes)  // warm up BLAS
        let elapsed = try ContinuousClock().measure {
            for _ in 0..<3 { _ = try loss(embeddings: x, classes: Self.classes) }
        }
        print("batch-hard triplet loss, 256 x \(width): \(elapsed / 3) per call (value and gradient)")
    }
}
