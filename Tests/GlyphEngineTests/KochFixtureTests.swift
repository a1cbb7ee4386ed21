import Foundation
import Testing
@testable import GlyphEngine

/// The whole Koch et al. (2015) tower at 105x105 against PyTorch. Weights and inputs come
/// from closed-form formulas that scripts/make_koch_fixture.py computes the same way; the
/// fixture holds PyTorch's float64 answer (norms and sampled entries) for those float32 values.
/// The formulas keep every max-pool window away from a tie (conv1 exact in float32, the input
/// constants chosen so that conv2-conv4 windows are apart by more than 10x float32 error; see
/// the script), so every backend is checked on everything.

private struct TensorSummary: Decodable {
    let count: Int
    let norm: Double
    let indices: [Int]
    let values: [Double]
}

/// The input formula's constants and the margin the script checked.
private struct InputFormula: Decodable {
    let a: Double
    let b: Double
    let c: Double
    let minGap: Double
}

private struct KochFixture: Decodable {
    let batch: Int
    let input: InputFormula
    let loss: Double
    let output: TensorSummary
    let inputGradient: TensorSummary
    let parameters: [String: TensorSummary]
}

/// Must match WEIGHT_GAIN in scripts/make_koch_fixture.py.
private let weightGain: [Double] = [8, 4, 4, 4, 30]

/// `floor(steps * v + 1/2) / steps`, as the script's `quantize`.
private func quantize(_ v: Double, _ steps: Double) -> Double { (steps * v + 0.5).rounded(.down) / steps }

private func formulaWeight(_ shape: [Int], layer: Int) -> Tensor {
    let fanIn = Tensor.count(of: Array(shape.dropFirst()))
    let scale = weightGain[layer] / Double(fanIn).squareRoot()
    return Tensor(shape: shape) { w in
        for i in 0..<w.count {
            let t = Double(i) * 0.6180339887498949 + 0.1 * Double(layer)
            let value = scale * (2.0 * (t - t.rounded(.down)) - 1.0)
            w[i] = Float(layer == 0 ? quantize(value, 64) : value)
        }
    }
}

private func formulaBias(_ count: Int, layer: Int) -> Tensor {
    Tensor(shape: [count]) { b in
        for i in 0..<count {
            let value = 0.05 * cos(0.91 * Double(i) + Double(layer))
            b[i] = Float(layer == 0 ? quantize(value, 1024) : value)
        }
    }
}

private func formulaInput(_ shape: [Int], _ f: InputFormula) -> Tensor {
    Tensor(shape: shape) { x in
        for i in 0..<x.count {
            let t = Double(i)
            x[i] = Float(quantize(0.5 + 0.5 * sin(f.a * t) * cos(f.b * t + f.c), 16))
        }
    }
}

/// The tower; `checkpointChunk` runs its first block in chunks of that many images.
func kochTower(checkpointChunk: Int?) throws -> Sequential {
    let firstBlock: [any Layer] = [Conv2D(inChannels: 1, outChannels: 64, kernelSize: 10), ReLU(), MaxPool2D(2)]
    return try Sequential {
        if let checkpointChunk { try Checkpointed(imagesPerChunk: checkpointChunk, firstBlock) } else { firstBlock }
        Conv2D(inChannels: 64, outChannels: 128, kernelSize: 7)
        ReLU()
        MaxPool2D(2)
        Conv2D(inChannels: 128, outChannels: 128, kernelSize: 4)
        ReLU()
        MaxPool2D(2)
        Conv2D(inChannels: 128, outChannels: 256, kernelSize: 4)
        ReLU()
        Flatten()
        Dense(inFeatures: 9216, outFeatures: 4096)
        Sigmoid()
    }
}

/// Relative error of the norm, and of sampled entries measured against `max(|reference|, the
/// tensor's RMS)`. Why the RMS floor: a gradient entry is a float32 sum of 10^4 terms; when they
/// cancel to a value far below the tensor's typical size, its absolute error (about 1e-7 of the
/// terms) is a large fraction of it (up to 8e-4 seen at 1% of the RMS; PyTorch's own float32
/// run is further off on some of these entries, see the script's output).
private func expectClose(_ name: String, _ actual: Tensor, _ reference: TensorSummary, tolerance: Double = 1e-4) {
    #expect(actual.count == reference.count, "\(name): \(actual.count) elements, fixture has \(reference.count)")
    guard actual.count == reference.count else { return }
    let normError = abs(actual.norm - reference.norm) / reference.norm
    #expect(normError < tolerance, "\(name) norm: \(actual.norm) vs \(reference.norm) (relative \(normError))")
    let floor = reference.norm / Double(reference.count).squareRoot()
    var worst = 0.0
    for (index, expected) in zip(reference.indices, reference.values) {
        let error = abs(Double(actual.scalars[index]) - expected) / max(abs(expected), floor)
        worst = max(worst, error)
        #expect(error < tolerance, "\(name)[\(index)]: \(actual.scalars[index]) vs \(expected)")
    }
    print("koch fixture \(name): norm error \(normError), worst sampled entry error \(worst)")
}

/// The default backends (FFT for conv2, oneDNN for the others) through the fused plan (what
/// training runs), the lowering path (the reference) run as written, and the fused plan with the
/// first block checkpointed in chunks of one image (the koch preset's layout), each on the
/// output, the loss and every gradient. (Not every layer on FFT: its rounding error is spread
/// over a whole plane, and on conv1's small outputs it flips max-pool choices that the
/// fixture's 1e-5 tie gap does not cover; FFTConvolutionTests checks each layer instead.)
@Test(arguments: [(nil, nil), (ConvolutionBackend.im2col, nil), (nil, 1)] as [(ConvolutionBackend?, Int?)])
func kochTowerMatchesPyTorch(forcedBackend: ConvolutionBackend?, checkpointChunk: Int?) throws {
    let fusing = forcedBackend != .im2col
    let url = try #require(Bundle.module.url(forResource: "koch_fixture", withExtension: "json", subdirectory: "Fixtures"),
                           "Fixtures/koch_fixture.json missing: run scripts/make_koch_fixture.py")
    let fixture = try JSONDecoder().decode(KochFixture.self, from: Data(contentsOf: url))

    #expect(fixture.input.minGap >= 1e-5, "the fixture's pooling windows are not checked tie-free")
    let tower = try kochTower(checkpointChunk: checkpointChunk)
    for case let conv as Conv2D in tower.layers {
        if let forcedBackend { conv.backend = forcedBackend }
    }
    let weighted = tower.layers.compactMap { layer -> (Parameter, Parameter)? in
        if let conv = layer as? Conv2D { return (conv.weight, conv.bias!) }
        if let dense = layer as? Dense { return (dense.weight, dense.bias!) }
        return nil
    }
    #expect(weighted.count == 5)
    for (layer, (weight, bias)) in weighted.enumerated() {
        weight.value = formulaWeight(weight.value.shape, layer: layer)
        bias.value = formulaBias(bias.value.count, layer: layer)
    }

    let inputShape = [fixture.batch, 1, 105, 105]
    let input = formulaInput(inputShape, fixture.input)
    let network: any Layer = fusing ? ExecutionPlan(tower, fusing: true) : tower
    let output = try network.forward(input, training: true)
    #expect(output.shape == [fixture.batch, 4096])
    let projection = Tensor(shape: output.shape) { r in
        for i in 0..<r.count { r[i] = Float(sin(0.71 * Double(i) + 0.5)) }
    }
    var loss = 0.0
    for i in 0..<output.count { loss += Double(output.scalars[i]) * Double(projection.scalars[i]) }
    #expect(abs(loss - fixture.loss) / abs(fixture.loss) < 1e-4, "loss \(loss) vs \(fixture.loss)")

    tower.zeroGradients()
    let inputGradient = try network.backward(projection)

    expectClose("output", output, fixture.output)
    expectClose("input gradient", inputGradient, fixture.inputGradient)
    #expect(Set(fixture.parameters.keys) == Set(tower.parameters.map(\.name)))
    for p in tower.parameters {
        guard let reference = fixture.parameters[p.name] else { continue }
        expectClose(p.name, p.gradient, reference)
    }
}
