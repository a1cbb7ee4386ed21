import Testing
@testable import GlyphEngine

/// oneDNN and the lowering path (im2col + sgemm) must compute the same convolution:
/// forward output, input gradient, weight and bias gradients, relative error < 1e-4.
private let agreement = 1e-4


/// Forward output, input gradient and parameter gradients of one training step.
private func step(_ c: ConvCase, backend: ConvolutionBackend, oneDNNWeights: Bool,
                  algorithm: OneDNNAlgorithm = .direct, implementation: ((String) -> Void)? = nil) throws -> [Tensor] {
    let conv = Conv2D(inChannels: c.input[1], outChannels: c.out, kernelSize: c.kernel, stride: c.stride,
                      padding: c.padding, useBias: c.bias)
    conv.backend = backend
    conv.oneDNNAlgorithm = algorithm
    conv.oneDNNInputGradient = true  // also for few channels, where the default lowers
    conv.oneDNNWeightGradient = oneDNNWeights
    conv.imagesPerGEMM = c.imagesPerGEMM
    for (i, p) in conv.parameters.enumerated() {
        p.value = randomTensor(p.value.shape, seed: 11 &+ UInt64(i), low: -0.8, high: 0.8)
    }
    let x = randomTensor(c.input, seed: 3)
    let y = try conv.forward(x, training: true)
    let inference = try conv.forward(x, training: false)
    #expect(inference == y, "\(conv.name) \(backend): inference and training forward differ")
    _ = try conv.forward(x, training: true)
    let dx = try conv.backward(randomTensor(y.shape, seed: 4))
    for passes in conv.oneDNNPasses.values { implementation?(passes.forwardImplementation) }
    return [y, dx] + conv.parameters.map(\.gradient)
}

/// The gradient cases, Koch's and Conv-4's layer shapes at small batches, and one batch
/// large enough that oneDNN runs it in several chunks (1 + 8 channels of 500x500: 3 images
/// per call, so 5 images are a chunk of 3 and one of 2).
private let agreementCases = ConvCase.all + [
    ConvCase(input: [2, 1, 105, 105], out: 64, kernel: 10, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [2, 64, 48, 48], out: 128, kernel: 7, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [2, 128, 21, 21], out: 128, kernel: 4, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [2, 128, 9, 9], out: 256, kernel: 4, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [3, 64, 14, 14], out: 64, kernel: 3, stride: 1, padding: .same, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [5, 1, 500, 500], out: 8, kernel: 3, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
]

@Test(arguments: agreementCases)
func oneDNNAgreesWithLowering(_ c: ConvCase) throws {
    let reference = try step(c, backend: .im2col, oneDNNWeights: false)
    for oneDNNWeights in [false, true] {
        let candidate = try step(c, backend: .onednn, oneDNNWeights: oneDNNWeights)
        expectAgreement(reference, candidate, "\(c.testDescription) (oneDNN weights: \(oneDNNWeights))")
    }
}

/// Output, input gradient and parameter gradients of `candidate` within `agreement` of `reference`.
private func expectAgreement(_ reference: [Tensor], _ candidate: [Tensor], _ label: String) {
    let names = ["output", "input gradient", "weight gradient", "bias gradient"]
    for (i, (a, b)) in zip(reference, candidate).enumerated() {
        #expect(a.shape == b.shape)
        let error = relativeError(a, b)
        print("agreement \(label) \(names[i]): \(error)")
        #expect(error < agreement, "\(label) \(names[i]): relative error \(error)")
    }
}

/// Conv-4's 3x3 layers (at 28x28 and 32x32: 14/16, 7/8, 3/4 pixels wide, 64 to 256
/// channels) through oneDNN's Winograd kernels, forced, agree with lowering like direct
/// convolution does; `auto`, the default, picks Winograd for at least the widest of them.
private let winogradCases = [
    ConvCase(input: [3, 64, 14, 14], out: 64, kernel: 3, stride: 1, padding: .same, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [4, 64, 16, 16], out: 64, kernel: 3, stride: 1, padding: .same, bias: false, imagesPerGEMM: nil),
    ConvCase(input: [4, 64, 8, 8], out: 128, kernel: 3, stride: 1, padding: .same, bias: false, imagesPerGEMM: nil),
    ConvCase(input: [5, 128, 3, 3], out: 256, kernel: 3, stride: 1, padding: .same, bias: true, imagesPerGEMM: nil),
]

@Test(arguments: winogradCases)
func oneDNNWinogradAgreesWithLowering(_ c: ConvCase) throws {
    let reference = try step(c, backend: .im2col, oneDNNWeights: false)
    var implementations = [String]()
    let candidate = try step(c, backend: .onednn, oneDNNWeights: true, algorithm: .winograd) { implementations.append($0) }
    #expect(!implementations.isEmpty && implementations.allSatisfy { $0.contains("wino") }, "\(implementations)")
    expectAgreement(reference, candidate, "\(c.testDescription) (Winograd)")
}

@Test func oneDNNAutomaticChoosesWinogradForConv4() throws {
    var implementations = [String]()
    let c = ConvCase(input: [64, 64, 14, 14], out: 64, kernel: 3, stride: 1, padding: .same, bias: false, imagesPerGEMM: nil)
    _ = try step(c, backend: .onednn, oneDNNWeights: true, algorithm: .automatic) { implementations.append($0) }
    #expect(implementations.contains { $0.contains("wino") }, "\(implementations)")
    #expect(OneDNNAlgorithm(rawValue: "auto") == .automatic && OneDNNAlgorithm(rawValue: "fft") == nil)
}

/// A shape Winograd cannot compute (a 10x10 kernel) fails with an error naming the layer, not a crash.
@Test func oneDNNWinogradRefusesOtherKernels() throws {
    let c = ConvCase(input: [2, 16, 20, 20], out: 16, kernel: 10, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil)
    #expect(throws: (any Error).self) { _ = try step(c, backend: .onednn, oneDNNWeights: true, algorithm: .winograd) }
    // `auto` falls back to direct convolution for it (Koch's tower).
    var implementations = [String]()
    _ = try step(c, backend: .onednn, oneDNNWeights: true, algorithm: .automatic) { implementations.append($0) }
    #expect(implementations.allSatisfy { !$0.contains("wino") }, "\(implementations)")
}

/// A batch size seen first in training and then in validation (another size) gets its own
/// oneDNN passes and the same numbers as a fresh layer.
@Test func oneDNNHandlesChangingBatchSizes() throws {
    let conv = Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3)
    conv.backend = .onednn
    let reference = Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3)
    reference.backend = .im2col
    for n in [4, 1, 4, 7] {
        let x = randomTensor([n, 2, 9, 8], seed: UInt64(n))
        #expect(relativeError(try conv(x), try reference(x)) < agreement, "batch \(n)")
    }
}

@Test func backendOverrideNamesKnownBackends() {
    #expect(ConvolutionBackend(rawValue: "onednn") == .onednn)
    #expect(ConvolutionBackend(rawValue: "im2col") == .im2col)
    #expect(ConvolutionBackend(rawValue: "cudnn") == nil)
}
