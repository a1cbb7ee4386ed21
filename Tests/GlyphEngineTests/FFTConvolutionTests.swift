import Testing
@testable import GlyphEngine

/// The FFT convolution must compute what the lowering path (im2col + sgemm, the reference)
/// computes: forward output, input gradient and weight gradient, relative error <= 1e-4.
private let bound = 1e-4

/// Every Koch layer, Conv-4's "same" 3x3 layers, odd sizes, an even kernel with asymmetric
/// "same" padding, and a batch large enough to run in several tiles.
private let cases = [
    ConvCase(input: [2, 1, 105, 105], out: 64, kernel: 10, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [2, 64, 48, 48], out: 128, kernel: 7, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [3, 128, 21, 21], out: 128, kernel: 4, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [2, 128, 9, 9], out: 256, kernel: 4, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [3, 1, 28, 28], out: 64, kernel: 3, stride: 1, padding: .same, bias: false, imagesPerGEMM: nil),
    ConvCase(input: [3, 64, 14, 14], out: 64, kernel: 3, stride: 1, padding: .same, bias: false, imagesPerGEMM: nil),
    ConvCase(input: [3, 3, 13, 11], out: 5, kernel: 5, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [2, 2, 9, 7], out: 3, kernel: 4, stride: 1, padding: .same, bias: true, imagesPerGEMM: nil),
    ConvCase(input: [1, 1, 4, 4], out: 1, kernel: 4, stride: 1, padding: .valid, bias: false, imagesPerGEMM: nil),
    ConvCase(input: [40, 8, 61, 61], out: 16, kernel: 7, stride: 1, padding: .valid, bias: true, imagesPerGEMM: nil),
]

@Test(arguments: cases)
func fftConvolutionAgreesWithLowering(_ c: ConvCase) throws {
    let conv = Conv2D(inChannels: c.input[1], outChannels: c.out, kernelSize: c.kernel, stride: c.stride,
                      padding: c.padding, useBias: c.bias)
    conv.backend = .im2col
    for (i, p) in conv.parameters.enumerated() {
        p.value = randomTensor(p.value.shape, seed: 21 &+ UInt64(i), low: -0.8, high: 0.8)
    }
    let x = randomTensor(c.input, seed: 5)
    let y = try conv.forward(x, training: true)
    let dy = randomTensor(y.shape, seed: 6)
    let dx = try conv.backward(dy)
    let dw = conv.weight.gradient

    let g = try conv.geometry(for: c.input)
    let fft = FFTConvolution(geometry: g, outChannels: c.out)
    let n = c.input[0]
    var fftY = [Float](repeating: 0, count: y.count)
    var fftDX = [Float](repeating: 0, count: x.count)
    var fftDW = [Float](repeating: 0, count: dw.count)
    x.withUnsafeBufferPointer { xp in
    conv.weight.value.withUnsafeBufferPointer { wp in
    (conv.bias?.value.scalars ?? [Float](repeating: 0, count: c.out)).withUnsafeBufferPointer { bp in
    fftY.withUnsafeMutableBufferPointer { yp in
        fft.forward(x: xp.baseAddress!, weights: wp.baseAddress!, bias: bp.baseAddress!, images: n, training: true,
                    into: yp.baseAddress!)
    }}}}
    dy.withUnsafeBufferPointer { dyp in
    fftDX.withUnsafeMutableBufferPointer { dxp in
    fftDW.withUnsafeMutableBufferPointer { dwp in
        fft.backward(dy: dyp.baseAddress!, images: n, weightGradient: dwp.baseAddress!, inputGradient: dxp.baseAddress!)
    }}}
    let double = { (values: [Float]) in values.map(Double.init) }
    let errors = (relativeError(double(y.scalars), double(fftY)), relativeError(double(dx.scalars), double(fftDX)),
                  relativeError(double(dw.scalars), double(fftDW)))
    #expect(errors.0 <= bound, "\(c.testDescription): forward relative error \(errors.0)")
    #expect(errors.1 <= bound, "\(c.testDescription): input gradient relative error \(errors.1)")
    #expect(errors.2 <= bound, "\(c.testDescription): weight gradient relative error \(errors.2)")
}

/// The transform grid covers the padded input and has only the factors FFTW is fast on.
@Test func fftSizesAreFastAndLargeEnough() {
    #expect(FFTConvolution.fastSize(atLeast: 105) == 105)
    #expect(FFTConvolution.fastSize(atLeast: 11) == 12)
    #expect(FFTConvolution.fastSize(atLeast: 13) == 14)
    #expect(FFTConvolution.fastSize(atLeast: 1) == 1)
    #expect(FFTConvolution.fastSize(atLeast: 121) == 125)
}
