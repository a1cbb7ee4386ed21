import ArgumentParser
import Foundation
import GlyphEngine
import GlyphSiamese

extension TrainingBenchmark.Model: ExpressibleByArgument {}
extension TrainingBenchmark.Mode: ExpressibleByArgument {}

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training and inference throughput (images/s) and peak memory on random input.",
        discussion: """
        With no --model/--mode/--images it runs the standard set (koch and conv4-28 in the contrastive, triplet \
        and infer modes at 128 and 256 images, then the fast model's prototypical training step and inference at 256), \
        each measurement in its own process so that its peak memory is its own.
        `--model fast --mode prototypical` measures the training step of the model `glyphsim train` builds by default \
        (the fast preset, its loss over P x K batches and its optimizer); `--mode infer` its inference.
        Compare koch and conv4-28 with bench/pytorch_reference.py run in the same sitting: only ratios count on a noisy machine.
        """
    )

    @Option(help: "Network: fast (the train default: \(TrainingBenchmark.Model.fast.config.summary)), koch (the course report's, at 105x105) or conv4-28 (Conv-4 at 28x28: width 64, no embedding layer; the network bench/pytorch_reference.py measures) (default: conv4-28).")
    var model: TrainingBenchmark.Model?
    @Option(help: "contrastive, triplet, prototypical or infer (default: prototypical for fast, else contrastive).")
    var mode: TrainingBenchmark.Mode?
    @Option(help: "Images per step (N/2 pairs, N/3 triplets, or N/K characters of K images for prototypical).") var images: Int?
    @Option(help: "Compute threads (default: $GLYPHSIM_THREADS, else every core).") var threads: Int?
    @Option(help: "Minimum seconds of timed steps per measurement.") var seconds: Double = 10
    @Flag(help: "One JSON object per line per measurement.") var json = false

    /// Most images per measured step: 4096 Koch images already need about 20 GB.
    static let maxImages = 4096

    func validate() throws {
        if let images, !(3...Self.maxImages).contains(images) {
            throw ValidationError("--images must lie in 3...\(Self.maxImages), not \(images)")
        }
        if !(seconds > 0 && seconds <= 3600) { throw ValidationError("--seconds must lie in (0, 3600], not \(seconds)") }
        if let threads { _ = try ThreadsOption.checkedThreads(threads) }
    }

    func run() throws {
        if let threads { ComputeThreads.set(threads) }
        if model != nil || mode != nil || images != nil {
            let model = model ?? .conv4_28
            var bench = TrainingBenchmark(model: model, mode: mode ?? model.defaultMode, images: images ?? 256)
            bench.minimumSeconds = seconds
            bench.describePlan = { printError("glyphsim: plan: \($0)") }
            report(try bench.run())
            return
        }
        if !json {
            print("model     mode          images threads  images/s  peak MB")
        }
        for (model, mode, images) in TrainingBenchmark.standardSet {
            try runChild(model: model, mode: mode, images: images)
        }
    }

    func report(_ m: TrainingBenchmark.Measurement) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: (try? encoder.encode(m)) ?? Data(), as: UTF8.self))
        } else {
            print(m.model.padding(toLength: 10, withPad: " ", startingAt: 0) + m.mode.padding(toLength: 13, withPad: " ", startingAt: 0)
                  + String(format: "%7d %7d %9.1f %8.0f", m.images, m.threads, m.imagesPerSecond, m.peakRSSMB))
        }
        fflush(nil)
    }

    /// Runs one measurement in a child process of this same executable.
    func runChild(model: TrainingBenchmark.Model, mode: TrainingBenchmark.Mode, images: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        var arguments = ["bench", "--model", model.rawValue, "--mode", mode.rawValue, "--images", String(images),
                         "--seconds", String(seconds), "--threads", String(threads ?? ComputeThreads.count)]
        if json { arguments.append("--json") }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("benchmark \(model.rawValue) \(mode.rawValue) \(images) failed (exit \(process.terminationStatus))")
        }
        FileHandle.standardOutput.write(output)
    }
}
