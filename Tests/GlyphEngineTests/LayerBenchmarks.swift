import Foundation
import Testing
@testable import GlyphEngine

/// Timings of training steps (forward + backward) for the two reference towers. Not a timed
/// assertion: opt in with GLYPHSIM_BENCH=1 on a release build and read the printed figures.
private let benchmarksEnabled = ProcessInfo.processInfo.environment["GLYPHSIM_BENCH"] == "1"

private func kochConvStack(dense: Bool) -> Sequential {
    Sequential {
        Conv2D(inChannels: 1, outChannels: 64, kernelSize: 10)
        ReLU()
        MaxPool2D(2)
        Conv2D(inChannels: 64, outChannels: 128, kernelSize: 7)
        ReLU()
        MaxPool2D(2)
        Conv2D(inChannels: 128, outChannels: 128, kernelSize: 4)
        ReLU()
        MaxPool2D(2)
        Conv2D(inChannels: 128, outChannels: 256, kernelSize: 4)
        ReLU()
        if dense {
            Flatten()
            Dense(inFeatures: 9216, outFeatures: 4096)
            Sigmoid()
        }
    }
}

private func conv4() -> Sequential {
    Sequential {
        for block in 0..<4 {
            Conv2D(inChannels: block == 0 ? 1 : 64, outChannels: 64, kernelSize: 3, padding: .same)
            BatchNorm2D(channels: 64)
            ReLU()
            MaxPool2D(2)
        }
        Flatten()
    }
}

/// Median seconds of `repeats` training steps after one warm-up step.
private func timeSteps(_ net: Sequential, input: Tensor, repeats: Int) throws -> (median: Double, all: [Double]) {
    let out = try net.forward(input, training: true)
    let gradient = Tensor(repeating: 1e-3, shape: out.shape)
    _ = try net.backward(gradient)
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try net.forward(input, training: true)
        let dx = try net.backward(gradient)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        #expect(dx.isFinite)
    }
    return (times.sorted()[times.count / 2], times)
}

@Test(.enabled(if: benchmarksEnabled)) func benchmarkKochAndConv4() throws {
    print("threads: \(ComputeThreads.count)")
    let koch = try timeSteps(kochConvStack(dense: false), input: randomTensor([32, 1, 105, 105], seed: 1, low: 0, high: 1), repeats: 5)
    print("Koch conv stack, 32 images, forward+backward: median \(koch.median * 1000) ms \(koch.all.map { Int($0 * 1000) }) -> \(32 / koch.median) images/s")
    let kochFull = try timeSteps(kochConvStack(dense: true), input: randomTensor([32, 1, 105, 105], seed: 1, low: 0, high: 1), repeats: 3)
    print("Koch tower with dense, 32 images: median \(kochFull.median * 1000) ms")
    let c4 = try timeSteps(conv4(), input: randomTensor([256, 1, 28, 28], seed: 2, low: 0, high: 1), repeats: 5)
    print("Conv-4@28, 256 images, forward+backward: median \(c4.median * 1000) ms \(c4.all.map { Int($0 * 1000) }) -> \(256 / c4.median) images/s")
}

/// Peak resident memory of one Koch training step at 256 images (VmHWM of this process).
@Test(.enabled(if: ProcessInfo.processInfo.environment["GLYPHSIM_BENCH"] == "memory")) func kochMemoryAt256() throws {
    let net = kochConvStack(dense: true)
    let input = randomTensor([256, 1, 105, 105], seed: 1, low: 0, high: 1)
    let start = DispatchTime.now().uptimeNanoseconds
    let out = try net.forward(input, training: true)
    let dx = try net.backward(Tensor(repeating: 1e-3, shape: out.shape))
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    #expect(dx.isFinite)
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM") } ?? "?"
    print("Koch 256 images: step \(seconds) s, peak \(peak)")
}

/// Per-layer forward and backward times of the Koch tower at 32 images, next to a plain sgemm
/// of similar size measured in the same moment (this machine is shared and drifts).
@Test(.enabled(if: ProcessInfo.processInfo.environment["GLYPHSIM_BENCH"] == "layers")) func benchmarkKochLayers() throws {
    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    let size = 1536
    let a = [Float](repeating: 0.5, count: size * size), b = a
    var c = [Float](repeating: 0, count: size * size)
    var best = Double.infinity
    for _ in 0..<3 {
        let t = now()
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
            gemm(m: size, n: size, k: size, a: a.baseAddress!, lda: size, b: b.baseAddress!, ldb: size,
                 c: c.baseAddress!, ldc: size)
        }}}
        best = min(best, now() - t)
    }
    print("sgemm \(size)^3: \(2 * pow(Double(size), 3) / best / 1e9) GFLOP/s")

    for (net, shape) in [(kochConvStack(dense: true), [32, 1, 105, 105]), (conv4(), [256, 1, 28, 28])] {
    print("-- \(shape[0]) images")
    var x = randomTensor(shape, seed: 1, low: 0, high: 1)
    var inputs: [Tensor] = []
    var forwardTimes: [Double] = []
    for layer in net.layers {
        inputs.append(x)
        _ = try layer.forward(x, training: true)
        let t = now()
        x = try layer.forward(x, training: true)
        forwardTimes.append(now() - t)
    }
    var g = Tensor(repeating: 1e-3, shape: x.shape)
    for (i, layer) in net.layers.enumerated().reversed() {
        _ = try layer.forward(inputs[i], training: true)
        let t = now()
        g = try layer.backward(g)
        let backward = now() - t
        var flops = ""
        if let conv = layer as? Conv2D {
            let out = try conv.outputShape(for: inputs[i].shape)
            let f = 2.0 * Double(Tensor.count(of: out) * conv.inChannels * conv.kernelSize * conv.kernelSize)
            flops = String(format: " (forward %.0f, backward %.0f GFLOP/s)", f / forwardTimes[i] / 1e9, 2 * f / backward / 1e9)
        }
        print(layer.name + String(format: " forward %8.1f ms  backward %8.1f ms", forwardTimes[i] * 1000, backward * 1000) + flops)
    }
    }
}
