import Foundation
import Testing
@testable import GlyphEngine

/// Timings of an optimizer step and a checkpoint round trip at the Koch network's size
/// (about 38.95 M parameters). Off by default (slow in debug); run with
/// `GLYPHSIM_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter Benchmark`.
private let benchmarkEnabled = ProcessInfo.processInfo.environment["GLYPHSIM_BENCH"] == "1"

private func median(_ body: () throws -> Void) rethrows -> Double {
    var times = [Double]()
    for _ in 0..<5 {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[2]
}

@Test(.enabled(if: benchmarkEnabled)) func benchmarkOptimizerStepsAndCheckpoint() throws {
    let count = 38_951_745
    let p = Parameter(name: "weight", value: Tensor(repeating: 0.5, shape: [count / 5, 5]))
    p.gradient = Tensor(repeating: 0.01, shape: p.value.shape)
    let optimizers: [(String, any Optimizer)] = [
        ("sgd", SGD(learningRate: 0.01)),
        ("sgd momentum+decay", SGD(learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)),
        ("adam", Adam()),
        ("adamw", Adam(weightDecay: 0.01, decoupledWeightDecay: true)),
    ]
    for (name, optimizer) in optimizers {
        optimizer.step([p])  // allocates the state
        let seconds = median { optimizer.step([p]) }
        print("benchmark: \(name) step over \(count) parameters: \(String(format: "%.1f", seconds * 1000)) ms")
        #expect(seconds < 2, "\(name) step took \(seconds) s")
    }
    #expect(p.value.isFinite)

    let folder = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("koch.safetensors")
    let checkpoint = Checkpoint(tensors: ["weight": p.value], metadata: ["note": "benchmark"])
    let write = try median { try checkpoint.write(to: url) }
    var back: Checkpoint?
    let read = try median { back = try Checkpoint.read(from: url) }
    print("benchmark: checkpoint of \(count * 4 / 1_000_000) MB: write \(String(format: "%.0f", write * 1000)) ms "
        + "(with fsync), read \(String(format: "%.0f", read * 1000)) ms")
    #expect(back?.tensors["weight"] == p.value)
}
