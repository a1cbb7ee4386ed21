import Testing
import GlyphRandom
@testable import GlyphEngine

/// Forward passes on cases small enough to compute by hand, shape errors, and bookkeeping.

private func sequence(_ shape: [Int], from start: Float = 1) -> Tensor {
    Tensor(shape: shape, scalars: (0..<Tensor.count(of: shape)).map { start + Float($0) })
}

@Test func conv3x3ValidOnKnownImage() throws {
    // Image 1...16 in a 4x4 grid, kernel of ones, bias 0.5: each output is a 3x3 window sum.
    let conv = Conv2D(inChannels: 1, outChannels: 1, kernelSize: 3)
    conv.weight.value = Tensor(repeating: 1, shape: [1, 1, 3, 3])
    conv.bias!.value = Tensor(shape: [1], scalars: [0.5])
    let y = try conv(sequence([1, 1, 4, 4]))
    #expect(y.shape == [1, 1, 2, 2])
    #expect(y.scalars == [54.5, 63.5, 90.5, 99.5])
}

@Test func conv3x3SameAndStridedSame() throws {
    let conv = Conv2D(inChannels: 1, outChannels: 1, kernelSize: 3, padding: .same, useBias: false)
    conv.weight.value = Tensor(repeating: 1, shape: [1, 1, 3, 3])
    let y = try conv(sequence([1, 1, 4, 4]))
    #expect(y.shape == [1, 1, 4, 4])
    // Corners see a 2x2 block, edges a 2x3 block.
    #expect(y.scalars[0] == 1 + 2 + 5 + 6)
    #expect(y.scalars[1] == 1 + 2 + 3 + 5 + 6 + 7)
    #expect(y.scalars[15] == 11 + 12 + 15 + 16)

    let strided = Conv2D(inChannels: 1, outChannels: 1, kernelSize: 3, stride: 2, padding: .same, useBias: false)
    strided.weight.value = Tensor(repeating: 1, shape: [1, 1, 3, 3])
    let z = try strided(sequence([1, 1, 5, 5]))
    #expect(z.shape == [1, 1, 3, 3])
    #expect(z.scalars[0] == 1 + 2 + 6 + 7)           // window centred on (0, 0)
    #expect(z.scalars[4] == (7 + 8 + 9) + (12 + 13 + 14) + (17 + 18 + 19))  // centred on (2, 2)
}

@Test func convChannelsAndBatchUseTheRightWeights() throws {
    // Two input channels, two filters: filter o sums channel o only, plus bias o.
    let conv = Conv2D(inChannels: 2, outChannels: 2, kernelSize: 1)
    conv.weight.value = Tensor(shape: [2, 2, 1, 1], scalars: [1, 0, 0, 2])
    conv.bias!.value = Tensor(shape: [2], scalars: [10, 20])
    let x = sequence([2, 2, 1, 2])  // image 0: ch0 [1,2], ch1 [3,4]; image 1: ch0 [5,6], ch1 [7,8]
    for group in [1, 2] {
        conv.imagesPerGEMM = group
        #expect(try conv(x).scalars == [11, 12, 26, 28, 15, 16, 34, 36])
    }
}

@Test func maxPoolOddSizeDropsLastRowAndColumn() throws {
    let y = try MaxPool2D(2)(sequence([1, 1, 5, 5], from: 0))
    #expect(y.shape == [1, 1, 2, 2])
    #expect(y.scalars == [6, 8, 16, 18])
    let overlapping = try MaxPool2D(3, stride: 2)(sequence([1, 1, 5, 5], from: 0))
    #expect(overlapping.scalars == [12, 14, 22, 24])
}

@Test func maxPoolBackwardRoutesToTheMaximum() throws {
    let pool = MaxPool2D(2)
    let x = Tensor(shape: [1, 1, 2, 3], scalars: [1, 9, 5, 3, 2, 7])
    #expect(try pool.forward(x, training: true).scalars == [9])
    let dx = try pool.backward(Tensor(shape: [1, 1, 1, 1], scalars: [4]))
    #expect(dx.scalars == [0, 4, 0, 0, 0, 0])
}

/// The 2x2 path and the general path (3x3 windows here) agree that the first maximum wins a tie.
@Test func maxPoolTiesGoToTheFirstMaximum() throws {
    let small = MaxPool2D(2)
    _ = try small.forward(Tensor(shape: [1, 1, 2, 2], scalars: [1, 5, 5, 5]), training: true)
    #expect(try small.backward(Tensor(shape: [1, 1, 1, 1], scalars: [2])).scalars == [0, 2, 0, 0])
    let large = MaxPool2D(3)
    _ = try large.forward(Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 7, 7, 0, 7, 3, 4, 5]), training: true)
    #expect(try large.backward(Tensor(shape: [1, 1, 1, 1], scalars: [2])).scalars == [0, 0, 2, 0, 0, 0, 0, 0, 0])
}

@Test func activations() throws {
    let x = Tensor(shape: [1, 4], scalars: [-2, -0.0, 0.5, 3])
    #expect(try ReLU()(x).scalars == [0, 0, 0.5, 3])
    let s = try Sigmoid()(x).scalars
    #expect(abs(s[1] - 0.5) < 1e-7 && abs(s[3] - 0.95257413) < 1e-6)
    let t = try Tanh()(x).scalars
    #expect(abs(t[0] + 0.96402758) < 1e-6)
    let relu = ReLU()
    _ = try relu.forward(x, training: true)
    #expect(try relu.backward(Tensor(repeating: 1, shape: [1, 4])).scalars == [0, 0, 1, 1])
}

@Test func flattenKeepsOrder() throws {
    let x = sequence([2, 3, 2, 2])
    let y = try Flatten()(x)
    #expect(y.shape == [2, 12] && y.scalars == x.scalars)
}

@Test func denseMatchesHandComputation() throws {
    let dense = Dense(inFeatures: 3, outFeatures: 2)
    dense.weight.value = Tensor(shape: [2, 3], scalars: [1, 2, 3, -1, 0, 1])
    dense.bias!.value = Tensor(shape: [2], scalars: [0.5, -0.5])
    let y = try dense(Tensor(shape: [2, 3], scalars: [1, 1, 1, 1, 2, 3]))
    #expect(y.scalars == [6.5, -0.5, 14.5, 1.5])
}

@Test func batchNormNormalizesAndTracksRunningStatistics() throws {
    let bn = BatchNorm2D(channels: 2)
    let x = randomTensor([4, 2, 3, 3], seed: 21, low: 2, high: 6)
    let y = try bn.forward(x, training: true)
    for ch in 0..<2 {
        var values: [Double] = [], inputs: [Double] = []
        for n in 0..<4 {
            for i in 0..<9 {
                values.append(Double(y.scalars[(n * 2 + ch) * 9 + i]))
                inputs.append(Double(x.scalars[(n * 2 + ch) * 9 + i]))
            }
        }
        let mean = values.reduce(0, +) / 36
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 36
        #expect(abs(mean) < 1e-5)
        #expect(abs(variance - 1) < 1e-3)  // ε = 1e-5 on a variance near 1.3
        let inputMean = inputs.reduce(0, +) / 36
        let unbiased = inputs.map { ($0 - inputMean) * ($0 - inputMean) }.reduce(0, +) / 35
        #expect(abs(Double(bn.runningMean.value.scalars[ch]) - 0.1 * inputMean) < 1e-5)
        #expect(abs(Double(bn.runningVar.value.scalars[ch]) - (0.9 + 0.1 * unbiased)) < 1e-5)
    }
    // Inference uses the running statistics: y = (x - rm) / sqrt(rv + ε).
    let z = try bn(x)
    let expected = (x.scalars[0] - bn.runningMean.value.scalars[0]) / (bn.runningVar.value.scalars[0] + 1e-5).squareRoot()
    #expect(abs(z.scalars[0] - expected) < 1e-5)
    #expect(bn.buffers.map(\.name) == ["running_mean", "running_var"])
    #expect(throws: EngineError.self) { try BatchNorm2D(channels: 2).forward(Tensor(zeros: [1, 2, 1, 1]), training: true) }
}

@Test func l2NormalizeGivesUnitRows() throws {
    let x = Tensor(shape: [3, 2], scalars: [3, 4, 0, 0, -1, 1])
    let y = try L2Normalize()(x)
    #expect(y.scalars[0] == 0.6 && y.scalars[1] == 0.8)
    #expect(y.scalars[2] == 0 && y.scalars[3] == 0)  // zero row stays zero (divided by ε)
    #expect(abs(y.scalars[4] * y.scalars[4] + y.scalars[5] * y.scalars[5] - 1) < 1e-6)
}

@Test func shapeErrorsNameTheLayer() throws {
    let cases: [(any Layer, [Int], String)] = [
        (Conv2D(inChannels: 3, outChannels: 4, kernelSize: 3), [1, 2, 8, 8], "Conv2D(3->4, 3x3)"),
        (Conv2D(inChannels: 1, outChannels: 4, kernelSize: 5), [1, 1, 4, 8], "Conv2D(1->4, 5x5)"),
        (MaxPool2D(2), [1, 1, 1, 4], "MaxPool2D(2)"),
        (MaxPool2D(2), [4, 4], "MaxPool2D(2)"),
        (Dense(inFeatures: 5, outFeatures: 2), [2, 4], "Dense(5->2)"),
        (BatchNorm2D(channels: 3), [2, 4, 2, 2], "BatchNorm2D(3)"),
        (L2Normalize(), [2, 3, 4], "L2Normalize"),
        (Flatten(), [5], "Flatten"),
    ]
    for (layer, shape, name) in cases {
        do {
            _ = try layer.forward(Tensor(zeros: shape), training: true)
            Issue.record("\(name) accepted \(shape)")
        } catch let EngineError.shapeMismatch(layer, _, got) {
            #expect(layer == name && got == shape)
        }
    }
}

@Test func backwardNeedsATrainingForward() throws {
    let layers: [any Layer] = [Conv2D(inChannels: 1, outChannels: 1, kernelSize: 1), MaxPool2D(2), ReLU(), Sigmoid(),
                               Tanh(), Flatten(), Dense(inFeatures: 1, outFeatures: 1), BatchNorm2D(channels: 1),
                               L2Normalize()]
    for layer in layers {
        #expect(throws: EngineError.backwardBeforeForward(layer: layer.name)) { try layer.backward(Tensor(zeros: [1, 1])) }
        // An inference forward keeps nothing either.
        let x = Tensor(repeating: 1, shape: layer is Dense || layer is L2Normalize ? [2, 1] : [2, 1, 2, 2])
        _ = try layer.forward(x, training: false)
        #expect(throws: EngineError.backwardBeforeForward(layer: layer.name)) { try layer.backward(Tensor(zeros: [1, 1])) }
    }
}

@Test func parameterGradientsAccumulateUntilZeroed() throws {
    let net = Sequential {
        Conv2D(inChannels: 1, outChannels: 2, kernelSize: 3)
        BatchNorm2D(channels: 2)
        Flatten()
        Dense(inFeatures: 2 * 3 * 3, outFeatures: 3)
    }
    let x = randomTensor([2, 1, 5, 5], seed: 30), r = randomTensor([2, 3], seed: 31)
    _ = try net.forward(x, training: true)
    _ = try net.backward(r)
    let once = net.parameters.map(\.gradient)
    _ = try net.forward(x, training: true)
    _ = try net.backward(r)
    for (p, g) in zip(net.parameters, once) {
        #expect(g.norm > 0, "\(p.name)")
        for i in 0..<g.count { #expect(abs(p.gradient.scalars[i] - 2 * g.scalars[i]) <= 1e-5 * (1 + abs(g.scalars[i]))) }
    }
    net.zeroGradients()
    #expect(net.parameters.allSatisfy { $0.gradient.norm == 0 })
}

@Test func initializersAreSeededScaledAndNamed() throws {
    func makeNet() -> Sequential {
        Sequential {
            Conv2D(inChannels: 8, outChannels: 64, kernelSize: 3)
            BatchNorm2D(channels: 64)
            Dense(inFeatures: 300, outFeatures: 200)
        }
    }
    let a = makeNet(), b = makeNet()
    #expect(a.parameters.map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"])
    #expect(a.buffers.map(\.name) == ["1.running_mean", "1.running_var"])
    var g1 = SeededGenerator(seed: 7), g2 = SeededGenerator(seed: 7), g3 = SeededGenerator(seed: 8)
    a.initializeParameters(using: &g1)
    b.initializeParameters(using: &g2)
    #expect(a.parameters.map(\.value) == b.parameters.map(\.value))
    let c = makeNet()
    c.initializeParameters(using: &g3)
    #expect(c.parameters[0].value != a.parameters[0].value)

    // He normal: std sqrt(2 / (8 * 9)); Glorot uniform: within sqrt(6 / 500), spread across it.
    let conv = a.parameters[0].value.scalars.map(Double.init)
    let std = (conv.map { $0 * $0 }.reduce(0, +) / Double(conv.count)).squareRoot()
    #expect(abs(std - (2.0 / 72).squareRoot()) < 0.01)
    let limit = Float(6.0 / 500).squareRoot()
    let dense = a.parameters[4].value.scalars
    #expect(dense.allSatisfy { abs($0) <= limit } && dense.max()! > 0.9 * limit && dense.min()! < -0.9 * limit)
    #expect(a.parameters[1].value.norm == 0 && a.parameters[2].value.scalars.allSatisfy { $0 == 1 })

    // Buffers are reset.
    _ = try a.layers[1].forward(randomTensor([2, 64, 2, 2], seed: 3, low: 1, high: 3), training: true)
    #expect(a.buffers[0].value.norm > 0)
    a.initializeParameters(using: &g1)
    #expect(a.buffers[0].value.norm == 0 && a.buffers[1].value.scalars.allSatisfy { $0 == 1 })
}

/// Sequential runs ReLU in place: same values as layer-by-layer calls, and the caller's input
/// and gradient tensors are left untouched (copy-on-write), even when ReLU comes first.
@Test func inPlaceReLUInsideSequentialMatchesLayerCalls() throws {
    let net = Sequential {
        ReLU()
        Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3, padding: .same)
        ReLU()
        MaxPool2D(2)
    }
    let x = randomTensor([2, 2, 6, 6], seed: 40), before = x
    let y = try net.forward(x, training: true)
    #expect(x == before)
    let g = randomTensor(y.shape, seed: 41), gBefore = g
    let dx = try net.backward(g)
    #expect(g == gBefore)

    var h = x
    for layer in net.layers { h = try layer.forward(h, training: true) }
    #expect(h == y)
    var d = g
    for layer in net.layers.reversed() { d = try layer.backward(d) }
    #expect(d == dx)
    #expect(dx.scalars.contains { $0 == 0 } && dx.scalars.contains { $0 != 0 })
}
