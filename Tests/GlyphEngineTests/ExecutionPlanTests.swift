import GlyphRandom
import Testing
@testable import GlyphEngine

/// `ExecutionPlan`: with fusion off and on, a tower gives the same outputs, input gradients and
/// parameter gradients; the plan has the tower's parameters under the tower's names; and
/// `Sequential` itself runs its layers as written.

/// Conv-4 as the fast preset builds it at 28x28 (Towers.swift): 4 x [conv 3x3 same, batch
/// norm, ReLU, max-pool 2], no convolution bias.
func conv4Tower(widths: [Int] = [64, 64, 192, 384]) -> Sequential {
    Sequential {
        for block in 0..<4 {
            Conv2D(inChannels: block == 0 ? 1 : widths[block - 1], outChannels: widths[block], kernelSize: 3,
                   padding: .same, useBias: false)
            BatchNorm2D(channels: widths[block])
            ReLU()
            MaxPool2D(2)
        }
        Flatten()
    }
}

/// Two towers with the same parameters, one run as written and one fused, compared on a
/// training step (forward, backward with the input gradient, then forward and the training
/// step's backward without it) and on inference.
private func expectPlansAgree(_ make: () throws -> Sequential, inputShape: [Int], tolerance: Double = 1e-5) throws {
    let written = try make(), fusedTower = try make()
    var generator = SeededGenerator(seed: 5)
    written.initializeParameters(using: &generator)
    for (a, b) in zip(fusedTower.parameters, written.parameters) { a.value = b.value }
    let plain = ExecutionPlan(written, fusing: false), fused = ExecutionPlan(fusedTower, fusing: true)
    #expect(fused.parameters.map(\.name) == written.parameters.map(\.name))
    #expect(fused.buffers.map(\.name) == written.buffers.map(\.name))
    #expect(plain.steps.count == written.blocks.count && fused.steps.count <= plain.steps.count)

    let x = randomTensor(inputShape, seed: 6, low: 0, high: 1)
    let y = try plain.forward(x, training: true), yFused = try fused.forward(x, training: true)
    #expect(y.shape == yFused.shape && relativeError(yFused, y) < tolerance, "output \(relativeError(yFused, y))")
    let dy = randomTensor(y.shape, seed: 7)
    let dx = try plain.backward(dy), dxFused = try fused.backward(dy)
    #expect(relativeError(dxFused, dx) < tolerance, "input gradient \(relativeError(dxFused, dx))")
    func expectSameGradients(_ what: String) {
        for (a, b) in zip(fused.parameters, plain.parameters) {
            // (A bias before batch norm has a gradient of zero up to rounding noise.)
            let vanishing = a.gradient.norm < 1e-6 && b.gradient.norm < 1e-6
            #expect(vanishing || relativeError(a.gradient, b.gradient) < tolerance,
                    "\(what) \(a.name): \(relativeError(a.gradient, b.gradient))")
        }
    }
    expectSameGradients("backward")

    // The training step: no input gradient (Conv-4's fused first block runs here).
    plain.zeroGradients()
    fused.zeroGradients()
    _ = try plain.forward(x, training: true)
    _ = try fused.forward(x, training: true)
    try plain.accumulateParameterGradients(dy)
    try fused.accumulateParameterGradients(dy)
    expectSameGradients("training step")
    #expect(throws: EngineError.self) { try fused.accumulateParameterGradients(dy) }  // caches released
    for (a, b) in zip(fused.buffers, plain.buffers) {
        #expect(relativeError(a.value, b.value) < tolerance, "\(a.name)")
    }

    let inferred = try plain.forward(x, training: false), inferredFused = try fused.forward(x, training: false)
    #expect(relativeError(inferredFused, inferred) < tolerance, "inference \(relativeError(inferredFused, inferred))")
}

@Test func conv4PlanWithAndWithoutFusionAgree() throws {
    try expectPlansAgree({ conv4Tower() }, inputShape: [6, 1, 28, 28])
    let plan = ExecutionPlan(conv4Tower(), fusing: true)
    #expect(plan.steps.first is FirstBlockWeightGradient)
    #expect(plan.steps.filter { $0 is BatchNormMaxPool }.count == 3)
    let text = plan.describe(inputShape: [1, 28, 28])
    #expect(text.hasPrefix("Conv2D 1->64 3x3 [direct] > BatchNorm+MaxPool(64)"), "\(text)")
    #expect(text.contains("BatchNorm+MaxPool(64) [fused, nChw16c]"), "\(text)")
}

@Test func kochPlanWithAndWithoutFusionAgree() throws {
    try expectPlansAgree({ try kochTower(checkpointChunk: 1) }, inputShape: [2, 1, 105, 105], tolerance: 1e-4)
    let plan = ExecutionPlan(try kochTower(checkpointChunk: 1), fusing: true)
    // ReLU after each pool, inside the checkpointed block too.
    #expect(plan.description.hasPrefix("Checkpointed(1 images: Conv2D 1->64 10x10 "), "\(plan.description)")
    #expect(plan.description.contains("MaxPool2D(2) > ReLU)"), "\(plan.description)")
}

/// `Sequential` runs every layer as itself, in order: batch norm's own forward and backward run
/// (its cache is its own), and a plan without fusion has the tower's layers as its steps.
@Test func sequentialRunsItsLayersAsWritten() throws {
    let norm = BatchNorm2D(channels: 16)
    let tower = Sequential { Conv2D(inChannels: 1, outChannels: 16, kernelSize: 3, padding: .same); norm; ReLU(); MaxPool2D(2) }
    let x = randomTensor([2, 1, 6, 6], seed: 8)
    _ = try tower.forward(x, training: true)
    // Batch norm's own forward ran and kept its own cache: its own backward works once.
    #expect(try norm.backward(randomTensor([2, 16, 6, 6], seed: 9)).shape == [2, 16, 6, 6])
    #expect(throws: EngineError.self) { try norm.backward(randomTensor([2, 16, 6, 6], seed: 9)) }
    #expect(ExecutionPlan(tower, fusing: false).steps.map(\.name) == tower.layers.map(\.name))
    let text = ExecutionPlan(tower, fusing: false).description
    #expect(text.hasPrefix("Conv2D 1->16 3x3 [") && text.hasSuffix("] > BatchNorm2D(16) > ReLU > MaxPool2D(2)"), "\(text)")
}

/// A layer the engine does not know runs as itself inside a fused plan, between fused steps.
@Test func userLayerRunsInsideAFusedPlan() throws {
    final class Doubling: Layer {
        var ran = 0
        var name: String { "Doubling" }
        func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
        func forward(_ input: Tensor, training: Bool) throws -> Tensor {
            ran += 1
            var y = input
            y.scalars = y.scalars.map { 2 * $0 }
            return y
        }
        func backward(_ outputGradient: Tensor) throws -> Tensor {
            var g = outputGradient
            g.scalars = g.scalars.map { 2 * $0 }
            return g
        }
    }
    let doubling = Doubling()
    let tower = conv4Tower(widths: [16, 16, 16, 16])
    let withUser = Sequential(Array(tower.layers.prefix(8)) + [doubling] + Array(tower.layers.dropFirst(8)))
    let plan = ExecutionPlan(withUser, fusing: true)
    #expect(plan.steps.contains { $0 === doubling })
    #expect(plan.description.contains("> Doubling >"), "\(plan.description)")
    let x = randomTensor([3, 1, 28, 28], seed: 9)
    let y = try plan.forward(x, training: true)
    #expect(doubling.ran == 1 && y.shape == [3, 16])
    _ = try plan.backward(randomTensor(y.shape, seed: 10))
}
