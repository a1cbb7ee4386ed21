import GlyphEngine
import Testing
@testable import GlyphSiamese

/// Online mining must cost far less than the training step it serves: the distance matrix
/// and the gradient are two `gemm`s, not nested loops over the embedding width.
@Suite("Mining speed")
struct MiningSpeedTests {
    @Test(arguments: [64, 4096])
    func batchHardOver256Embeddings(width: Int) throws {
        let x = LossTestSupport.randomEmbeddings(rows: 256, width: width, seed: 4)
        let labels = (0..<256).map { $0 / 4 }  // P = 64 classes x K = 4
        let loss = TripletLoss(margin: 0.2)
        _ = try loss(embeddings: x, labels: labels, mining: .batchHard)  // warm up BLAS
        let clock = ContinuousClock()
        var output: LossOutput?
        let elapsed = try clock.measure {
            for _ in 0..<3 { output = try loss(embeddings: x, labels: labels, mining: .batchHard) }
        }
        let perCall = elapsed / 3
        print("batch-hard triplet loss, 256 x \(width): \(perCall) per call (value and gradient)")
        #expect(output?.statistics.count == 256)
        // A training step over 256 images takes seconds on this machine; even a debug build
        // of the loss must stay well under that.
        #expect(perCall < .milliseconds(500))
    }
}
