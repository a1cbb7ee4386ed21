import Foundation
import GlyphEngine
import Testing
@testable import GlyphSiamese

private typealias S = LossTestSupport

@Suite("Prototypical loss")
struct PrototypicalLossTests {
    @Test func handComputedTwoClassesOfTwo() throws {
        // Class 0: (0,0), (2,0); class 1: (0,1), (0,3). T = 1.
        // Query 0: own prototype (2,0) -> D^2 = 4; class 1 prototype (0,2) -> D^2 = 4: L = log 2.
        // Query 1 (2,0): own (0,0) -> 4; class 1 (0,2) -> 8: L = log(1 + e^-4).
        // Query 2 (0,1): own (0,3) -> 4; class 0 (1,0) -> 2: L = log(1 + e^2).
        // Query 3 (0,3): own (0,1) -> 4; class 0 (1,0) -> 10: L = log(1 + e^-6).
        let x = Tensor(shape: [4, 2], scalars: [0, 0, 2, 0, 0, 1, 0, 3])
        let out = try PrototypicalLoss(temperature: 1)(embeddings: x, classes: [7, 7, 3, 3])
        let expected: Double = (log(2.0) + log(1 + exp(-4.0)) + log(1 + exp(2.0)) + log(1 + exp(-6.0))) / 4
        #expect(S.close(out.loss, Float(expected), 1e-5))
        #expect(out.statistics.count == 4)
        // Query 0 ties (first index wins: its own class), query 2 is nearer class 0: 1 of 4 wrong.
        #expect(out.statistics.activeFraction == 0.25)
        #expect(S.close(out.statistics.meanPositiveDistance, 2))
    }

    @Test func zeroDistancesGiveLogOfTheClassCountAndNoGradient() throws {
        let x = Tensor(shape: [6, 3], scalars: [Float](repeating: 0.5, count: 18))
        let out = try PrototypicalLoss(temperature: 0.1)(embeddings: x, classes: [0, 0, 1, 1, 2, 2])
        #expect(S.close(out.loss, Float(log(3.0))))
        #expect(out.gradient.scalars.allSatisfy { $0 == 0 })
    }

    @Test func temperatureScalesTheLogits() throws {
        // Halving every embedding quarters the squared distances: T = 1/4 gives the same loss.
        let x = S.randomEmbeddings(rows: 8, width: 3, seed: 5)
        var half = x
        half.scalars = x.scalars.map { $0 / 2 }
        let labels = [0, 1, 2, 3, 0, 1, 2, 3]
        let a = try PrototypicalLoss(temperature: 1)(embeddings: x, classes: labels)
        let b = try PrototypicalLoss(temperature: 0.25)(embeddings: half, classes: labels)
        #expect(S.close(a.loss, b.loss, 1e-5))
    }

    @Test func singletonClassesServeAsPrototypesButNotAsQueries() throws {
        let x = S.randomEmbeddings(rows: 5, width: 4, seed: 6)
        let out = try PrototypicalLoss(temperature: 1)(embeddings: x, classes: [0, 0, 0, 1, 2])
        #expect(out.statistics.count == 3)
        #expect(out.gradient.scalars[12..<20].contains { $0 != 0 })  // rows 3 and 4 still move
    }

    @Test func refusesBatchesWithoutAQuery() {
        let x = S.randomEmbeddings(rows: 3, width: 2, seed: 7)
        #expect(throws: SiameseError.self) { try PrototypicalLoss()(embeddings: x, classes: [0, 1, 2]) }
        #expect(throws: SiameseError.self) { try PrototypicalLoss()(embeddings: x, classes: [0, 0, 0]) }
        #expect(throws: SiameseError.self) { try PrototypicalLoss(temperature: 0)(embeddings: x, classes: [0, 0, 1]) }
    }

    @Test(arguments: [Float(1), 0.3])
    func gradientMatchesFiniteDifferences(temperature: Float) throws {
        // P = 3 classes of uneven sizes (4, 3, 2) and one singleton, interleaved; Float64 would be
        // nicer but the loss is smooth, so a central difference with h = 1e-2 is within 2e-3.
        let labels = [0, 1, 2, 0, 1, 2, 0, 1, 0, 9]
        let x = S.randomEmbeddings(rows: labels.count, width: 5, seed: 8, scale: 0.7)
        let loss = PrototypicalLoss(temperature: temperature)
        let analytic = try loss(embeddings: x, classes: labels)
        let numeric = try S.numericalGradient(of: { try loss(embeddings: $0, classes: labels).loss }, at: x, step: 1e-2)
        #expect(analytic.gradient.scalars.contains { abs($0) > 1e-2 })
        #expect(S.maxRelativeError(analytic.gradient.scalars, numeric) < 2e-3)
    }
}
