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
