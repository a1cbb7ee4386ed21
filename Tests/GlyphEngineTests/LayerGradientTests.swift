import Testing
import GlyphRandom
@testable import GlyphEngine

/// Finite-difference checks of every layer's input and parameter gradients.
private let tolerance = 2e-3

/// Gives a layer's parameters random values (biases and BN scales are zero or one otherwise,
/// which would hide mistakes).
private func randomizeParameters(_ layer: any Layer, seed: UInt64) {
    for (i, p) in layer.parameters.enumerated() {
        p.value = randomTensor(p.value.shape, seed: seed &+ UInt64(i), low: -0.8, high: 0.8)
    }
}

private func expectGradientsMatch(_ layer: any Layer, input: Tensor, step: Float = 1e-2,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
    let report = try GradientCheck.run(layer, input: input, step: step)
    #expect(report.input < tolerance, "\(layer.name) input gradient: \(report.input)", sourceLocation: sourceLocation)
    for (name, error) in report.parameters {
        #expect(error < tolerance, "\(layer.name) \(name) gradient: \(error)", sourceLocation: sourceLocation)
    }
    #expect(report.parameters.count == layer.parameters.count, sourceLocation: sourceLocation)
}

struct ConvCase: CustomTestStringConvertible, Sendable {
    var input: [Int], out: Int, kernel: Int, stride: Int, padding: Padding, bias: Bool, imagesPerGEMM: Int?
    var testDescription: String { "\(input) ->\(out) k\(kernel) s\(stride) \(padding) bias:\(bias) group:\(imagesPerGEMM.map(String.init) ?? "auto")" }
}

extension ConvCase {
    /// Shapes, strides and paddings every convolution check runs over.
    static let all: [ConvCase] = [
        ConvCase(input: [2, 3, 7, 7], out: 4, kernel: 3, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
        ConvCase(input: [2, 3, 7, 7], out: 4, kernel: 3, stride: 1, padding: .valid, bias: true, imagesPerGEMM: 1),
        ConvCase(input: [3, 2, 8, 9], out: 3, kernel: 3, stride: 2, padding: .same, bias: true, imagesPerGEMM: 2),
        ConvCase(input: [2, 1, 6, 5], out: 2, kernel: 4, stride: 1, padding: .same, bias: false, imagesPerGEMM: nil),
        // Stride-1 "same" convolutions lower by shifting whole planes (Conv-4's 3x3); with the
        // automatic grouping the forward pass keeps the lowered batch for backward.
        ConvCase(input: [2, 3, 5, 6], out: 4, kernel: 3, stride: 1, padding: .same, bias: true, imagesPerGEMM: nil),
        ConvCase(input: [2, 3, 5, 6], out: 4, kernel: 3, stride: 1, padding: .same, bias: true, imagesPerGEMM: 1),
        ConvCase(input: [2, 2, 2, 1], out: 2, kernel: 5, stride: 1, padding: .same, bias: false, imagesPerGEMM: nil),
        ConvCase(input: [2, 2, 7, 7], out: 3, kernel: 2, stride: 3, padding: .valid, bias: true, imagesPerGEMM: 1),
        ConvCase(input: [1, 2, 5, 5], out: 2, kernel: 5, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
        ConvCase(input: [3, 2, 5, 7], out: 2, kernel: 3, stride: 2, padding: .valid, bias: true, imagesPerGEMM: 2),
    ]
}

/// Every case through both backends (oneDNN ignores `imagesPerGEMM`), with oneDNN's weight gradient on and off.
@Test(arguments: ConvCase.all, [ConvolutionBackend.im2col, .onednn])
func conv2DGradients(_ c: ConvCase, backend: ConvolutionBackend) throws {
    for oneDNNWeights in backend == .onednn ? [false, true] : [false] {
        let conv = Conv2D(inChannels: c.input[1], outChannels: c.out, kernelSize: c.kernel, stride: c.stride,
                          padding: c.padding, useBias: c.bias)
        conv.backend = backend
        conv.oneDNNInputGradient = true  // also for few channels, where the default lowers
        conv.oneDNNWeightGradient = oneDNNWeights
        conv.imagesPerGEMM = c.imagesPerGEMM
        randomizeParameters(conv, seed: 5)
        try expectGradientsMatch(conv, input: randomTensor(c.input, seed: 1))
    }
}

@Test(arguments: [([2, 3, 7, 7], 2, nil), ([2, 2, 7, 6], 3, 2), ([1, 1, 4, 6], 2, nil), ([2, 1, 5, 5], 2, 1), ([1, 2, 8, 7], 2, 3)] as [([Int], Int, Int?)])
func maxPoolGradients(shape: [Int], size: Int, stride: Int?) throws {
    try expectGradientsMatch(MaxPool2D(size, stride: stride), input: kinkFreeTensor(shape, seed: 3))
}

@Test func reluGradients() throws {
    try expectGradientsMatch(ReLU(), input: kinkFreeTensor([2, 3, 4, 5], seed: 4))
}

@Test func sigmoidAndTanhGradients() throws {
    try expectGradientsMatch(Sigmoid(), input: randomTensor([3, 5], seed: 6, low: -3, high: 3))
    try expectGradientsMatch(Tanh(), input: randomTensor([3, 5], seed: 7, low: -2, high: 2))
}

@Test func flattenGradients() throws {
    try expectGradientsMatch(Flatten(), input: randomTensor([2, 3, 2, 2], seed: 8))
}

@Test(arguments: [true, false])
func denseGradients(useBias: Bool) throws {
    let dense = Dense(inFeatures: 5, outFeatures: 4, useBias: useBias)
    randomizeParameters(dense, seed: 9)
    try expectGradientsMatch(dense, input: randomTensor([3, 5], seed: 10))
}

@Test(arguments: [[3, 4, 3, 5], [2, 2, 1, 3], [4, 3, 2, 3]])
func batchNormGradientsInTraining(shape: [Int]) throws {
    let bn = BatchNorm2D(channels: shape[1])
    randomizeParameters(bn, seed: 11)
    try expectGradientsMatch(bn, input: randomTensor(shape, seed: 12, low: -2, high: 3), step: 5e-3)
}

@Test func l2NormalizeGradients() throws {
    try expectGradientsMatch(L2Normalize(), input: randomTensor([3, 6], seed: 13))
}

/// The layers chained through `Sequential`. Smooth layers only: a finite-difference step on
/// one input moves a whole channel through batch norm, and could flip a max-pool choice.
/// (A convolution bias right before batch norm has zero gradient, hence `useBias: false`.)
@Test func smallNetworkGradients() throws {
    let net = Sequential {
        Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: .same, useBias: false)
        BatchNorm2D(channels: 3)
        Tanh()
        Flatten()
        Dense(inFeatures: 3 * 4 * 4, outFeatures: 4)
        Sigmoid()
        L2Normalize()
    }
    randomizeParameters(net, seed: 14)
    try expectGradientsMatch(net, input: randomTensor([3, 2, 7, 7], seed: 15), step: 5e-3)
}

/// The direct weight gradient of small stride-1 "same" convolutions (Conv-4's first layer)
/// against the lowering path's GEMM, on odd sizes, several channels and kernels.
@Test(arguments: [[3, 1, 6, 5], [2, 3, 5, 7], [1, 1, 28, 28], [2, 2, 1, 4]] as [[Int]], [1, 3])
func directWeightGradientMatchesLowering(shape: [Int], kernel: Int) throws {
    let conv = Conv2D(inChannels: shape[1], outChannels: 4, kernelSize: kernel, padding: .same, useBias: false)
    let g = try conv.geometry(for: shape)
    #expect(conv.usesDirectWeightGradient(g))
    let x = randomTensor(shape, seed: 11)
    let dy = randomTensor(try conv.outputShape(for: shape), seed: 12)
    var direct = [Float](repeating: 0.25, count: conv.weight.value.count)
    var lowered = direct
    x.withUnsafeBufferPointer { x in
    dy.withUnsafeBufferPointer { dy in
        direct.withUnsafeMutableBufferPointer { dw in
            conv.accumulateWeightGradientDirectly(x: x.baseAddress!, dy: dy.baseAddress!, images: shape[0], geometry: g,
                                                  into: dw.baseAddress!)
        }
        lowered.withUnsafeMutableBufferPointer { dw in
            conv.accumulateWeightGradientByLowering(x: x.baseAddress!, dy: dy.baseAddress!, images: shape[0], geometry: g,
                                                    into: dw.baseAddress!)
        }
    }}
    let difference = zip(direct, lowered).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
    let size = lowered.map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
    #expect(difference / size < 1e-5, "relative difference \(difference / size)")
}

/// The direct forward pass of small stride-1 "same" convolutions (Conv-4's first layer) against
/// the lowering path, with and without bias.
@Test(arguments: [[3, 1, 6, 5], [2, 3, 5, 7], [1, 1, 28, 28], [2, 2, 1, 4]] as [[Int]], [false, true])
func directForwardMatchesLowering(shape: [Int], bias: Bool) throws {
    let conv = Conv2D(inChannels: shape[1], outChannels: 4, kernelSize: 3, padding: .same, useBias: bias)
    randomizeParameters(conv, seed: 13)
    conv.backend = .im2col
    let x = randomTensor(shape, seed: 14)
    let lowered = try conv(x)
    let g = try conv.geometry(for: shape)
    #expect(conv.usesDirectForward(g))
    var direct = Tensor(zeros: lowered.shape)
    x.withUnsafeBufferPointer { x in
    conv.weight.value.withUnsafeBufferPointer { w in
    direct.withUnsafeMutableBufferPointer { out in
        if let b = conv.bias?.value.scalars {
            b.withUnsafeBufferPointer { b in
                conv.forwardDirectly(x: x.baseAddress!, weights: w.baseAddress!, bias: b.baseAddress!, images: shape[0],
                                     geometry: g, into: out.baseAddress!)
            }
        } else {
            conv.forwardDirectly(x: x.baseAddress!, weights: w.baseAddress!, bias: nil, images: shape[0], geometry: g,
                                 into: out.baseAddress!)
        }
    }}}
    let difference = zip(direct.scalars, lowered.scalars).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
    #expect(difference / lowered.norm < 1e-6, "relative difference \(difference / lowered.norm)")
}

/// Batch norm and a 2x2 max-pool fused by `ExecutionPlan` (then ReLU, as in Conv-4) against the
/// same layers run one by one: the same output bit for bit, and the same gradients to float
/// rounding, on odd sizes (a dropped row and column) and with negative scales (randomized).
@Test(arguments: [[3, 4, 7, 6], [2, 3, 8, 8], [4, 2, 5, 5]] as [[Int]], [true, false])
func fusedBatchNormPoolMatchesLayers(shape: [Int], training: Bool) throws {
    func layers() -> (BatchNorm2D, MaxPool2D, ReLU) {
        let bn = BatchNorm2D(channels: shape[1])
        randomizeParameters(bn, seed: 21)
        bn.runningMean.value = randomTensor([shape[1]], seed: 22)
        bn.runningVar.value = randomTensor([shape[1]], seed: 23, low: 0.5, high: 2)
        return (bn, MaxPool2D(2), ReLU())
    }
    let x = randomTensor(shape, seed: 24, low: -2, high: 3)
    let (bn, pool, relu) = layers()
    let fused = ExecutionPlan(Sequential { bn; pool; relu }, fusing: true)
    #expect(fused.steps.first is BatchNormMaxPool)
    let (bnRef, poolRef, reluRef) = layers()
    let y = try fused.forward(x, training: training)
    let yRef = try reluRef.forward(try poolRef.forward(try bnRef.forward(x, training: training), training: training),
                                   training: training)
    #expect(y == yRef)
    #expect(bn.runningMean.value == bnRef.runningMean.value && bn.runningVar.value == bnRef.runningVar.value)
    guard training else { return }
    let dy = randomTensor(y.shape, seed: 25)
    let dx = try fused.backward(dy)
    let dxRef = try bnRef.backward(try poolRef.backward(try reluRef.backward(dy)))
    #expect(relativeError(dx, dxRef) < 1e-5, "input gradient \(relativeError(dx, dxRef))")
    #expect(relativeError(bn.weight.gradient, bnRef.weight.gradient) < 1e-5)
    #expect(relativeError(bn.bias.gradient, bnRef.bias.gradient) < 1e-5)
    #expect(throws: EngineError.self) { try fused.backward(dy) }  // the caches are released
}
