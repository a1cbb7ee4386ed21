import Foundation
import Testing
@testable import GlyphEngine

// MARK: - Hand-computed single steps

private func parameter(_ values: [Float], shape: [Int]? = nil, gradient: [Float]) -> Parameter {
    let p = Parameter(name: "p", value: Tensor(shape: shape ?? [values.count], scalars: values))
    p.gradient = Tensor(shape: p.value.shape, scalars: gradient)
    return p
}

private func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) where abs(x - y) > tolerance * max(1, abs(y)) {
        Issue.record("\(a) differs from \(b) (tolerance \(tolerance))", sourceLocation: sourceLocation)
        return
    }
}

@Test func sgdStepIsLearningRateTimesGradient() {
    let p = parameter([1, -2], gradient: [0.5, 1])
    SGD(learningRate: 0.1).step([p])
    expectClose(p.value.scalars, [0.95, -2.1])
    #expect(p.gradient.scalars == [0.5, 1], "step must not zero the gradient")
}

@Test func sgdMomentumAccumulatesAndNesterovLooksAhead() {
    // Constant gradient g: momentum gives steps g, 1.9 g; Nesterov gives 1.9 g, 2.71 g.
    let plain = parameter([0], gradient: [1])
    let momentum = SGD(learningRate: 0.1, momentum: 0.9)
    momentum.step([plain])
    expectClose(plain.value.scalars, [-0.1])
    momentum.step([plain])
    expectClose(plain.value.scalars, [-0.1 - 0.19])

    let ahead = parameter([0], gradient: [1])
    let nesterov = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
    nesterov.step([ahead])
    expectClose(ahead.value.scalars, [-0.19])
    nesterov.step([ahead])
    expectClose(ahead.value.scalars, [-0.19 - 0.271])
}

@Test func weightDecayOnlyWhereAppliesAndMultiplierScalesTheRate() {
    let matrix = parameter([1, 2], shape: [1, 2], gradient: [0, 0])      // rank 2: decays
    let bias = parameter([1, 2], gradient: [0, 0])                        // rank 1: exempt
    let slow = parameter([1], gradient: [1])
    slow.learningRateMultiplier = 0.5
    let buffer = Parameter(name: "running", value: Tensor(shape: [1], scalars: [3]), isTrainable: false)
    #expect(matrix.appliesWeightDecay && !bias.appliesWeightDecay)
    SGD(learningRate: 0.5, weightDecay: 0.1).step([matrix, bias, slow, buffer])
    expectClose(matrix.value.scalars, [0.95, 1.9])
    #expect(bias.value.scalars == [1, 2])
    expectClose(slow.value.scalars, [0.75])
    #expect(buffer.value.scalars == [3], "buffers are never updated")
}

@Test func adamFirstStepIsSignOfGradientUntilEpsilonMatters() {
    // Bias correction makes the first step lr * g / (|g| + eps): about lr * sign(g) for a
    // large gradient, and visibly less than lr when |g| is comparable to eps.
    let p = parameter([1, 1, 1], gradient: [0.5, -2, 1e-8])
    Adam(learningRate: 0.01).step([p])
    expectClose(p.value.scalars, [1 - 0.01 * 0.5 / (0.5 + 1e-8), 1 + 0.01 * 2 / (2 + 1e-8), 1 - 0.01 * 0.5], tolerance: 1e-6)
}

@Test func updatesHappenInPlaceAfterTheFirstStep() {
    // The first write may copy (a literal's storage can be shared or static); later ones must not.
    let p = parameter([1, 2, 3, 4], gradient: [1, 1, 1, 1])
    let adam = Adam()
    adam.step([p])
    let before = p.value.withUnsafeBufferPointer { $0.baseAddress }
    for _ in 0..<3 { adam.step([p]) }
    let sgd = SGD(learningRate: 0.1, momentum: 0.9)
    for _ in 0..<3 { sgd.step([p]) }
    #expect(p.value.withUnsafeBufferPointer { $0.baseAddress } == before, "the weights were copied, not updated in place")
}

// MARK: - Against torch.optim

/// Printed by `scripts/optimizer_reference.py` (torch 2.15.0): weights W (2x2, decays) then
/// bias b (2, exempt from decay, learning-rate multiplier 0.5) after 1 and 3 steps, with
/// gradients g = A * w + B recomputed before each step.
private let torchReference: [String: [Float]] = [
    "sgd.1": [0.430000007, -0.790000021, 1.87, 0.215000004, 0.102499999, -0.292000026],
    "sgd.3": [0.310300022, -0.487600029, 1.62917507, 0.173350006, 0.106951565, -0.276830226],
    "sgdMomentum.1": [0.430000007, -0.790000021, 1.87, 0.215000004, 0.102499999, -0.292000026],
    "sgdMomentum.3": [0.140200019, -0.0151000321, 1.30157506, 0.100900009, 0.113139056, -0.256454229],
    "sgdNesterovDecay.1": [0.366050005, -0.599099994, 1.74919999, 0.183025002, 0.10475, -0.284800023],
    "sgdNesterovDecay.3": [0.0266446229, 0.16695711, 1.02880573, 0.0919346213, 0.117611207, -0.239435047],
    "adamDecay.1": [0.400000006, -0.899999976, 1.89999998, 0.150000006, 0.149999991, -0.25000003],
    "adamDecay.3": [0.202756092, -0.701478302, 1.70045447, 0.0486960486, 0.151301473, -0.152869374],
    "adamW.1": [0.395000011, -0.890000045, 1.88, 0.147500008, 0.149999991, -0.25000003],
    "adamW.3": [0.191085294, -0.674974322, 1.64414835, 0.0485020131, 0.151301473, -0.152869374],
]

private let referenceOptimizers: [String: @Sendable () -> any Optimizer] = [
    "sgd": { SGD(learningRate: 0.1) },
    "sgdMomentum": { SGD(learningRate: 0.1, momentum: 0.9) },
    "sgdNesterovDecay": { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01) },
    "adamDecay": { Adam(learningRate: 0.1, weightDecay: 0.01) },
    "adamW": { Adam(learningRate: 0.1, weightDecay: 0.1, decoupledWeightDecay: true) },
]

/// The reference problem's two parameters, as in the script.
private func referenceParameters() -> (w: Parameter, b: Parameter) {
    let w = Parameter(name: "0.weight", value: Tensor(shape: [2, 2], scalars: [0.5, -1.0, 2.0, 0.25]))
    let b = Parameter(name: "0.bias", value: Tensor(shape: [2], scalars: [0.1, -0.3]))
    b.learningRateMultiplier = 0.5
    return (w, b)
}

private func setReferenceGradients(_ w: Parameter, _ b: Parameter) {
    let aw: [Float] = [1.0, 2.0, 0.5, 3.0], bw: [Float] = [0.2, -0.1, 0.3, -0.4]
    let ab: [Float] = [1.5, 0.7], bb: [Float] = [-0.2, 0.05]
    w.gradient = Tensor(shape: [2, 2], scalars: (0..<4).map { aw[$0] * w.value.scalars[$0] + bw[$0] })
    b.gradient = Tensor(shape: [2], scalars: (0..<2).map { ab[$0] * b.value.scalars[$0] + bb[$0] })
}

@Test(arguments: ["sgd", "sgdMomentum", "sgdNesterovDecay", "adamDecay", "adamW"], [1, 3])
func matchesTorchOptim(_ name: String, steps: Int) throws {
    let (w, b) = referenceParameters()
    let make = try #require(referenceOptimizers[name])
    let optimizer = make()
    for _ in 0..<steps {
        setReferenceGradients(w, b)
        optimizer.step([w, b])
    }
    let expected = try #require(torchReference["\(name).\(steps)"])
    expectClose(w.value.scalars + b.value.scalars, expected, tolerance: 2e-6)
}

/// State created up front (`allocateState`, as the trainer does) gives the same steps.
@Test(arguments: ["sgd", "sgdMomentum", "sgdNesterovDecay", "adamDecay", "adamW"])
func allocatingStateFirstChangesNoStep(_ name: String) throws {
    let (w, b) = referenceParameters()
    let make = try #require(referenceOptimizers[name])
    let optimizer = make()
    optimizer.allocateState(for: [w, b])
    for _ in 0..<3 {
        setReferenceGradients(w, b)
        optimizer.step([w, b])
    }
    let expected = try #require(torchReference["\(name).3"])
    expectClose(w.value.scalars + b.value.scalars, expected, tolerance: 2e-6)
}

// MARK: - State for resuming

@Test(arguments: ["sgdMomentum", "sgdNesterovDecay", "adamDecay", "adamW"])
func resumingFromSavedStateIsBitExact(_ name: String) throws {
    let make = try #require(referenceOptimizers[name])
    // An uninterrupted run of 4 steps...
    let (w1, b1) = referenceParameters()
    let straight = make()
    for _ in 0..<4 { setReferenceGradients(w1, b1); straight.step([w1, b1]) }
    // ...against 2 steps, a save, a fresh optimizer and model loaded from it, 2 more steps.
    let (w2, b2) = referenceParameters()
    let first = make()
    for _ in 0..<2 { setReferenceGradients(w2, b2); first.step([w2, b2]) }
    let saved = first.stateTensors(for: [w2, b2])
    #expect(saved["optimizer.step"]?.scalars == [2])
    let (w3, b3) = referenceParameters()
    w3.value = w2.value
    b3.value = b2.value
    let resumed = make()
    try resumed.loadState(saved, for: [w3, b3])
    for _ in 0..<2 { setReferenceGradients(w3, b3); resumed.step([w3, b3]) }
    #expect(w3.value == w1.value && b3.value == b1.value, "resumed run diverged from the uninterrupted one")
}

@Test func stateNamesFollowTheParameters() {
    let (w, b) = referenceParameters()
    let adam = Adam()
    #expect(Set(adam.stateTensors(for: [w, b]).keys) == ["optimizer.step", "optimizer.0.weight.exp_avg",
        "optimizer.0.weight.exp_avg_sq", "optimizer.0.bias.exp_avg", "optimizer.0.bias.exp_avg_sq"])
    #expect(Set(SGD(learningRate: 1, momentum: 0.9).stateTensors(for: [w, b]).keys)
        == ["optimizer.step", "optimizer.0.weight.momentum_buffer", "optimizer.0.bias.momentum_buffer"])
    #expect(Set(SGD(learningRate: 1).stateTensors(for: [w, b]).keys) == ["optimizer.step"])
}

@Test func loadingAnotherOptimizersStateIsRefusedWithoutChange() throws {
    let (w, b) = referenceParameters()
    let sgd = SGD(learningRate: 0.1, momentum: 0.9)
    setReferenceGradients(w, b)
    sgd.step([w, b])
    let before = sgd.stateTensors(for: [w, b])
    let adamState = Adam().stateTensors(for: [w, b])
    #expect(throws: EngineError.architectureMismatch(file: "optimizer state",
                                                     expected: "tensor optimizer.0.bias.momentum_buffer of shape [2]",
                                                     found: "no such tensor")) {
        try sgd.loadState(adamState, for: [w, b])
    }
    var misshapen = before
    misshapen["optimizer.0.weight.momentum_buffer"] = Tensor(zeros: [4])
    #expect(throws: EngineError.self) { try sgd.loadState(misshapen, for: [w, b]) }
    var extra = before
    extra["optimizer.0.weight.exp_avg"] = Tensor(zeros: [2, 2])
    #expect(throws: EngineError.self) { try sgd.loadState(extra, for: [w, b]) }
    var fractional = before
    fractional["optimizer.step"] = Tensor(shape: [1], scalars: [1.5])
    #expect(throws: EngineError.self) { try sgd.loadState(fractional, for: [w, b]) }
    #expect(sgd.stateTensors(for: [w, b]) == before, "a refused load changed the state")
    #expect(sgd.stepCount == 1)
}

@Test func optimizerKindMakesTheNamedOptimizer() {
    #expect(OptimizerKind.sgd.make(learningRate: 0.1, momentum: 0.9) is SGD)
    #expect((OptimizerKind.adam.make(learningRate: 0.1) as? Adam)?.decoupledWeightDecay == false)
    #expect((OptimizerKind.adamw.make(learningRate: 0.1, weightDecay: 0.01) as? Adam)?.decoupledWeightDecay == true)
    #expect(OptimizerKind(rawValue: "adamw") == .adamw)
}

// MARK: - Training a toy model

/// Linear regression: 3 inputs, 2 outputs, 32 samples of an exact linear target, mean
/// squared error. Every optimizer must drive the loss near zero.
private func trainLinearRegression(_ optimizer: any Optimizer, steps: Int) throws -> (first: Float, last: Float) {
    let model = Sequential { TestAffine(inputs: 3, outputs: 2) }
    let n = 32
    let x = Tensor(shape: [n, 3], scalars: (0..<(n * 3)).map { Float(sin(Double($0) * 0.77)) })
    let trueW: [Float] = [0.8, -0.5, 0.3, 0.1, 0.9, -0.7], trueB: [Float] = [0.2, -0.4]
    var target = Tensor(zeros: [n, 2])
    for s in 0..<n {
        for o in 0..<2 {
            target.scalars[s * 2 + o] = trueB[o] + (0..<3).reduce(Float(0)) { $0 + trueW[o * 3 + $1] * x.scalars[s * 3 + $1] }
        }
    }
    var losses = [Float]()
    for _ in 0..<steps {
        model.zeroGradients()
        let y = try model.forward(x, training: true)
        let diff = zip(y.scalars, target.scalars).map { $0 - $1 }
        losses.append(diff.reduce(0) { $0 + $1 * $1 } / Float(n))
        _ = try model.backward(Tensor(shape: y.shape, scalars: diff.map { 2 * $0 / Float(n) }))
        optimizer.step(model.parameters)
    }
    return (losses[0], losses[losses.count - 1])
}

@Test(arguments: [
    ("sgd", 600), ("sgd+momentum", 200), ("sgd+nesterov", 200), ("adam", 400), ("adamw", 400),
])
func toyRegressionConverges(_ name: String, steps: Int) throws {
    let optimizer: any Optimizer = switch name {
    case "sgd": SGD(learningRate: 0.3)
    case "sgd+momentum": SGD(learningRate: 0.1, momentum: 0.9)
    case "sgd+nesterov": SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
    case "adam": Adam(learningRate: 0.05)
    default: Adam(learningRate: 0.05, weightDecay: 1e-5, decoupledWeightDecay: true)
    }
    let (first, last) = try trainLinearRegression(optimizer, steps: steps)
    #expect(first > 0.1, "the toy problem should start far from its solution")
    #expect(last < 1e-4, "\(name): loss went from \(first) to \(last) in \(steps) steps")
}
