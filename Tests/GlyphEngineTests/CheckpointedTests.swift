import Testing
@testable import GlyphEngine

/// `Checkpointed`: a block run chunk by chunk (and recomputed in backward) gives the plain
/// block's outputs and gradients, keeps its layers' names, and refuses batch statistics.

private func randomize(_ model: any Layer, seed: UInt64) {
    for (i, p) in model.parameters.enumerated() {
        p.value = randomTensor(p.value.shape, seed: seed &+ UInt64(i), low: -0.5, high: 0.5)
    }
}

/// A small Koch-like tower; `chunk` checkpoints its first block.
private func tower(chunk: Int?, backend: ConvolutionBackend? = nil) throws -> Sequential {
    let block: [any Layer] = [Conv2D(inChannels: 1, outChannels: 4, kernelSize: 3), ReLU(), MaxPool2D(2)]
    let model = try Sequential {
        if let chunk { try Checkpointed(imagesPerChunk: chunk, block) } else { block }
        Conv2D(inChannels: 4, outChannels: 3, kernelSize: 2)
        ReLU()
        Flatten()
        Dense(inFeatures: 3 * 3 * 3, outFeatures: 5)
        Sigmoid()
    }
    if let backend { for case let conv as Conv2D in model.layers { conv.backend = backend } }
    return model
}


@Test func checkpointingKeepsNamesAndArchitecture() throws {
    let plain = try tower(chunk: nil), chunked = try tower(chunk: 2)
    #expect(chunked.parameters.map(\.name) == plain.parameters.map(\.name))
    #expect(chunked.parameters.map(\.name).prefix(2) == ["0.weight", "0.bias"])
    #expect(chunked.layers.map(\.name) == plain.layers.map(\.name))
    #expect(chunked.name == plain.name)
}

/// 7 images in chunks of 3 (3, 3, 1): outputs, input gradient and every parameter gradient
/// equal the plain run's; the training step's `accumulateParameterGradients` gives the same
/// parameter gradients as `backward`.
@Test(arguments: [ConvolutionBackend.onednn, .im2col])
func checkpointedMatchesPlain(backend: ConvolutionBackend) throws {
    let plain = try tower(chunk: nil, backend: backend), chunked = try tower(chunk: 3, backend: backend)
    randomize(plain, seed: 21)
    try chunked.loadState(plain.stateTensors(), file: "memory")
    let input = randomTensor([7, 1, 10, 10], seed: 22, low: 0, high: 1)
    let r = randomTensor([7, 5], seed: 23)

    let expected = try plain.forward(input, training: true)
    plain.zeroGradients()
    let expectedInputGradient = try plain.backward(r)

    for discardsInputGradient in [false, true] {
        let output = try chunked.forward(input, training: true)
        #expect(relativeError(output, expected) < 1e-5)
        chunked.zeroGradients()
        if discardsInputGradient {
            try chunked.accumulateParameterGradients(r)
        } else {
            let inputGradient = try chunked.backward(r)
            #expect(relativeError(inputGradient, expectedInputGradient) < 1e-5)
        }
        for (mine, reference) in zip(chunked.parameters, plain.parameters) {
            let error = relativeError(mine.gradient, reference.gradient)
            #expect(error < 1e-5, "\(mine.name) gradient: relative error \(error)")
        }
    }
    // Inference through the chunks gives the same output too.
    #expect(relativeError(try chunked(input), expected) < 1e-5)
}

/// Central finite differences through a checkpointed block (batch 3 in chunks of 2).
@Test func checkpointedGradientsMatchFiniteDifferences() throws {
    let block = try Checkpointed(imagesPerChunk: 2) {
        Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3)
        ReLU()
        MaxPool2D(2)
    }
    randomize(block, seed: 31)
    let report = try GradientCheck.run(block, input: kinkFreeTensor([3, 2, 6, 7], seed: 32), step: 1e-3)
    #expect(report.input < 2e-3, "input gradient: \(report.input)")
    #expect(report.parameters.count == 2)
    for (name, error) in report.parameters { #expect(error < 2e-3, "\(name) gradient: \(error)") }
}

/// A batch that fits in one chunk runs as a plain chain, and backward still frees the caches.
@Test func checkpointedFollowsTheLayerContract() throws {
    let block = try Checkpointed(imagesPerChunk: 4) { Conv2D(inChannels: 1, outChannels: 2, kernelSize: 3); ReLU() }
    #expect(throws: EngineError.backwardBeforeForward(layer: block.name)) { try block.backward(Tensor(zeros: [2, 2, 3, 3])) }
    for images in [2, 9] {
        let input = randomTensor([images, 1, 5, 5], seed: 41)
        let gradient = Tensor(repeating: 1, shape: [images, 2, 3, 3])
        _ = try block.forward(input, training: true)
        #expect(throws: EngineError.self) { try block.backward(Tensor(zeros: [images, 2, 3, 4])) }
        _ = try block.forward(input, training: true)
        _ = try block.backward(gradient)
        #expect(throws: EngineError.backwardBeforeForward(layer: block.name)) { try block.backward(gradient) }
        _ = try block.forward(input, training: false)
        #expect(throws: EngineError.backwardBeforeForward(layer: block.name)) { try block.accumulateParameterGradients(gradient) }
    }
}

@Test func checkpointedRefusesBatchStatistics() {
    #expect(throws: EngineError.self) {
        try Checkpointed(imagesPerChunk: 8) { Conv2D(inChannels: 1, outChannels: 2, kernelSize: 3); BatchNorm2D(channels: 2) }
    }
    #expect(throws: EngineError.self) {
        try Checkpointed(imagesPerChunk: 8) { Sequential { BatchNorm2D(channels: 1) } }
    }
    #expect(throws: EngineError.self) { try Checkpointed(imagesPerChunk: 0) { ReLU() } }
}

/// `Conv2D.accumulateParameterGradients` (no input gradient) adds what `backward` adds.
@Test(arguments: [(ConvolutionBackend.im2col, false, false), (.onednn, false, false), (.onednn, true, false), (.onednn, true, true)])
func convParameterGradientsWithoutInputGradient(backend: ConvolutionBackend, oneDNNInput: Bool, oneDNNWeights: Bool) throws {
    let conv = Conv2D(inChannels: 3, outChannels: 4, kernelSize: 3, stride: 2, padding: .same)
    conv.backend = backend
    conv.oneDNNInputGradient = oneDNNInput
    conv.oneDNNWeightGradient = oneDNNWeights
    randomize(conv, seed: 51)
    let input = randomTensor([3, 3, 7, 8], seed: 52)
    let gradient = randomTensor(try conv.outputShape(for: input.shape), seed: 53)
    _ = try conv.forward(input, training: true)
    for p in conv.parameters { p.zeroGradient() }
    _ = try conv.backward(gradient)
    let expected = conv.parameters.map(\.gradient)
    _ = try conv.forward(input, training: true)
    for p in conv.parameters { p.zeroGradient() }
    try conv.accumulateParameterGradients(gradient)
    for (p, reference) in zip(conv.parameters, expected) {
        #expect(relativeError(p.gradient, reference) < 1e-5, "\(p.name)")
    }
    #expect(throws: EngineError.backwardBeforeForward(layer: conv.name)) { try conv.accumulateParameterGradients(gradient) }
}
