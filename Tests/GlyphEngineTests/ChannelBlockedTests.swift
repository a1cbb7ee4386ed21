import Testing
@testable import GlyphEngine

/// Conversions between plain and channel-blocked order are exact and undo each other, and a
/// one-pixel tensor keeps its scalars.
@Test(arguments: [[2, 16, 3, 5], [1, 32, 1, 1], [3, 48, 2, 2]] as [[Int]])
func channelBlockedRoundTrip(shape: [Int]) {
    let x = randomTensor(shape, seed: 31)
    let blocked = x.inLayout(.channelBlocked)
    #expect(blocked.layout == .channelBlocked && blocked.shape == shape)
    let n = 1, c = 17 % shape[1], y = shape[2] - 1, w = shape[3] - 1
    let plainIndex = ((n % shape[0] * shape[1] + c) * shape[2] + y) * shape[3] + w
    let blockedIndex = (((n % shape[0] * (shape[1] / 16) + c / 16) * shape[2] + y) * shape[3] + w) * 16 + c % 16
    #expect(blocked.scalars[blockedIndex] == x.scalars[plainIndex])
    #expect(blocked.inLayout(.plain) == x)
    if shape[2] * shape[3] == 1 { #expect(blocked.scalars == x.scalars) }
}

/// Conv-4-like blocks whose activations stay channel-blocked inside a fused `ExecutionPlan` (oneDNN
/// convolutions, the fused batch norm + max-pool, ReLU; odd sizes, so pools drop a row and a
/// column; a bias on one convolution) against the same layers run one at a time on plain
/// tensors: outputs, input gradients and every parameter gradient agree to float rounding.
@Test func channelBlockedChainMatchesPlainLayers() throws {
    func layers() -> [any Layer] {
        let list: [any Layer] = [
            Conv2D(inChannels: 16, outChannels: 32, kernelSize: 3, padding: .same),
            BatchNorm2D(channels: 32), ReLU(), MaxPool2D(2),
            Conv2D(inChannels: 32, outChannels: 16, kernelSize: 3, padding: .same, useBias: false),
            BatchNorm2D(channels: 16), ReLU(), MaxPool2D(2),
            Flatten(),
        ]
        for (i, layer) in list.enumerated() {
            for (j, p) in layer.parameters.enumerated() {
                p.value = randomTensor(p.value.shape, seed: 40 + UInt64(10 * i + j), low: -0.8, high: 0.8)
            }
        }
        return list
    }
    let x = randomTensor([3, 16, 9, 7], seed: 32, low: -2, high: 2)
    let chainLayers = layers(), plainLayers = layers()
    let model = ExecutionPlan(Sequential(chainLayers), fusing: true)
    #expect(model.describe(inputShape: [16, 9, 7]).contains("nChw16c"), "\(model.describe(inputShape: [16, 9, 7]))")
    let y = try model.forward(x, training: true)
    var yRef = x
    for layer in plainLayers { yRef = try layer.forward(yRef, training: true) }
    #expect(y.layout == .plain && yRef.layout == .plain)
    #expect(y.shape == yRef.shape && relativeError(y, yRef) < 1e-5, "output \(relativeError(y, yRef))")
    let dy = randomTensor(y.shape, seed: 33)
    let dx = try model.backward(dy)
    var dxRef = dy
    for layer in plainLayers.reversed() { dxRef = try layer.backward(dxRef) }
    #expect(dx.layout == .plain && relativeError(dx, dxRef) < 1e-5, "input gradient \(relativeError(dx, dxRef))")
    for (a, b) in zip(chainLayers.flatMap(\.parameters), plainLayers.flatMap(\.parameters)) {
        // (A convolution's bias before batch norm has a gradient of zero up to rounding noise.)
        let vanishing = a.gradient.norm < 1e-6 && b.gradient.norm < 1e-6
        #expect(vanishing || relativeError(a.gradient, b.gradient) < 1e-5, "\(a.name): \(relativeError(a.gradient, b.gradient))")
    }
    // Inference through the chain (blocked too) matches the plain layers.
    let inferred = try model.forward(x, training: false)
    var inferredRef = x
    for layer in plainLayers { inferredRef = try layer.forward(inferredRef, training: false) }
    #expect(relativeError(inferred, inferredRef) < 1e-5, "inference \(relativeError(inferred, inferredRef))")
    // The training step's backward (no input gradient) adds the same parameter gradients.
    _ = try model.forward(x, training: true)
    let before = chainLayers.flatMap(\.parameters).map(\.gradient)
    try model.accumulateParameterGradients(dy)
    for (p, old) in zip(chainLayers.flatMap(\.parameters), before) {
        var added = p.gradient
        added.scalars = zip(p.gradient.scalars, old.scalars).map { $0 - $1 }
        let vanishing = added.norm < 1e-6 && old.norm < 1e-6
        #expect(vanishing || relativeError(added, old) < 1e-4, "\(p.name): \(relativeError(added, old))")
    }
}


/// One oneDNN convolution with a bias, input and output channel-blocked, against the plain run:
/// the output, the input gradient and the weight and bias gradients (here far from zero).
@Test(arguments: [[2, 16, 5, 6], [3, 32, 3, 3]] as [[Int]])
func channelBlockedConvolutionMatchesPlain(shape: [Int]) throws {
    let conv = Conv2D(inChannels: shape[1], outChannels: 32, kernelSize: 3, padding: .same)
    let x = randomTensor(shape, seed: 34)
    let yPlain = try conv.forward(x, training: true)
    let dy = randomTensor(yPlain.shape, seed: 35)
    let dxPlain = try conv.backward(dy)
    let (dwPlain, dbPlain) = (conv.weight.gradient, conv.bias!.gradient)
    for p in conv.parameters { p.zeroGradient() }
    let y = try conv.forward(x.inLayout(.channelBlocked), training: true, outputLayout: .channelBlocked)
    #expect(y.layout == .channelBlocked)
    let dx = try conv.backward(dy.inLayout(.channelBlocked))
    #expect(dx.layout == .channelBlocked)
    #expect(relativeError(y.inLayout(.plain), yPlain) < 1e-6)
    #expect(relativeError(dx.inLayout(.plain), dxPlain) < 1e-6)
    #expect(relativeError(conv.weight.gradient, dwPlain) < 1e-6)
    #expect(relativeError(conv.bias!.gradient, dbPlain) < 1e-6)
}
