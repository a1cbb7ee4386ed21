import Testing
@testable import GlyphEngine

/// Conv-4's first block in the training step's backward (a direct 1-channel convolution, with
/// or without bias, then batch norm, ReLU and a 2x2 max-pool, odd sizes): the fused backward
/// adds the same parameter gradients as the layers run one at a time.
@Test(arguments: [[3, 1, 9, 7], [2, 2, 8, 8]] as [[Int]], [true, false])
func fusedFirstBlockMatchesLayers(shape: [Int], useBias: Bool) throws {
    func layers() -> [any Layer] {
        let list: [any Layer] = [
            Conv2D(inChannels: shape[1], outChannels: 16, kernelSize: 3, padding: .same, useBias: useBias),
            BatchNorm2D(channels: 16), ReLU(), MaxPool2D(2), Flatten(),
        ]
        for (i, layer) in list.enumerated() {
            for (j, p) in layer.parameters.enumerated() {
                p.value = randomTensor(p.value.shape, seed: 60 + UInt64(10 * i + j), low: -0.8, high: 0.8)
            }
        }
        return list
    }
    let x = randomTensor(shape, seed: 61, low: -2, high: 2)
    let fusedLayers = layers(), plainLayers = layers()
    let model = ExecutionPlan(Sequential(fusedLayers), fusing: true)
    let y = try model.forward(x, training: true)
    let firstBlock = try #require(model.steps.first as? FirstBlockWeightGradient)
    #expect(firstBlock.fuses(inputShape: shape))
    var yRef = x
    for layer in plainLayers { yRef = try layer.forward(yRef, training: true) }
    #expect(y == yRef)
    let dy = randomTensor(y.shape, seed: 62)
    try model.accumulateParameterGradients(dy)
    var g = dy
    for layer in plainLayers.dropFirst().reversed() { g = try layer.backward(g) }
    try plainLayers[0].accumulateParameterGradients(g)
    for (a, b) in zip(fusedLayers.flatMap(\.parameters), plainLayers.flatMap(\.parameters)) {
        // (The bias before batch norm has a gradient of zero up to rounding noise.)
        let vanishing = a.gradient.norm < 1e-5 && b.gradient.norm < 1e-5
        #expect(vanishing || relativeError(a.gradient, b.gradient) < 1e-6, "\(a.name): \(relativeError(a.gradient, b.gradient))")
    }
    #expect(throws: EngineError.self) { try model.accumulateParameterGradients(dy) }  // the caches are released
}
