import ArgumentParser
import Foundation
import GlyphData
import GlyphEngine
import GlyphSiamese

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a trained model: the seed's Table 1 (pair verification) and N-way k-shot one-shot tasks."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "A run folder (its best checkpoint is used) or a checkpoint file.")
    var runFolder: String

    @Flag(help: "Print one JSON object with every figure.") var json = false
    @Option(help: "Trials per one-shot task.") var trials: Int = 400
    @Option(help: "Seed of the evaluation's pairs and episodes.") var seed: UInt64 = 2021
    @Option(help: "Write a self-contained HTML report to this file.") var report: String?

    /// The seed report's Table 1 accuracies (TensorFlow 2.5, 2021).
    static let seedAccuracy = (train: 0.9602, test: 0.9543, both: 0.9458)

    func validate() throws {
        guard (1...1_000_000).contains(trials) else { throw ValidationError("--trials must lie in 1...1000000, not \(trials)") }
    }

    func run() throws {
        try common.applyThreads()
        let checkpoint = try SiameseModel.checkpointURL(for: runFolder)
        let file = try Checkpoint.read(from: checkpoint)
        let model = try SiameseModel.load(file, file: checkpoint.path)
        let runFolder = checkpoint.deletingLastPathComponent()
        let config = try Self.runConfig(folder: RunFolder(runFolder), checkpoint: file, path: checkpoint.path)
        let dataFolder = common.dataFolder
        if !json { printError("glyphsim: loading Omniglot from \(dataFolder.path)") }
        let background = try Omniglot.load(.background, from: dataFolder)
        let evaluation = try Omniglot.load(.evaluation, from: dataFolder)
        // The validation characters (where the threshold is chosen) are the run's own.
        let splits = makeSplits(background: background, evaluation: evaluation, scheme: config.splits,
                                validationFraction: config.validationFraction, seed: config.seed)
        var evaluator = Evaluator(model: model, splits: splits)
        evaluator.seed = seed
        evaluator.trials = trials
        let result = try evaluator.run { if !json { printError("glyphsim: \($0)") } }

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(Self.table(result))
        }
        if let report {
            let html = try HTMLReport.make(result: result, model: model, splits: splits, runFolder: runFolder)
            try RunFolder.writeAtomically(Data(html.utf8), to: URL(fileURLWithPath: report))
            if !json { print("report written to \(report)") }
        }
    }

    /// The run's configuration (its splits and seed decide the validation characters the
    /// threshold is chosen on): config.json beside the checkpoint, else the copy the checkpoint
    /// stores; a malformed config.json, or neither, is refused rather than replaced by defaults.
    static func runConfig(folder: RunFolder, checkpoint: Checkpoint, path: String) throws -> TrainingConfig {
        if FileManager.default.fileExists(atPath: folder.file(RunFolder.configFile).path) { return try folder.readConfig() }
        guard let text = checkpoint.metadata["glyphsim.config"],
              let config = try? JSONDecoder().decode(TrainingConfig.self, from: Data(text.utf8)) else {
            throw ValidationError("\(path): no \(RunFolder.configFile) beside it and no readable run configuration "
                + "(glyphsim.config) inside it: evaluate needs the run's splits and seed")
        }
        return config
    }

    static func table(_ r: EvaluationReport) -> String {
        func row(_ name: String, _ c: VerificationCounts, _ seed: Double) -> String {
            name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: "%8d %8d %10.4f %12.4f", c.truePredictions, c.falsePredictions, c.accuracy, seed)
        }
        var lines = ["Model: \(r.model)   threshold \(String(format: "%.4f", r.threshold)) (chosen on validation characters)", ""]
        lines.append("Table 1: pair verification (5 same + 5 different pairs per character)")
        lines.append("split".padding(toLength: 22, withPad: " ", startingAt: 0) + "    True    False   Accuracy  seed report")
        lines.append(row("Train split", r.verification.train, seedAccuracy.train))
        lines.append(row("Test split", r.verification.test, seedAccuracy.test))
        lines.append(row("Train and test split", r.verification.trainAndTest, seedAccuracy.both))
        lines.append(String(format: "test split: ROC AUC %.4f, equal error rate %.4f", r.verification.rocAUC, r.verification.equalErrorRate))
        lines.append("")
        lines.append("Harder variant: different pairs from the same alphabet")
        lines.append(row("Train split", r.verificationSameAlphabet.train, .nan))
        lines.append(row("Test split", r.verificationSameAlphabet.test, .nan))
        lines.append(row("Train and test split", r.verificationSameAlphabet.trainAndTest, .nan))
        lines.append(String(format: "test split: ROC AUC %.4f, equal error rate %.4f",
                            r.verificationSameAlphabet.rocAUC, r.verificationSameAlphabet.equalErrorRate))
        lines.append("")
        lines.append("One-shot classification on the evaluation set (accuracy ± 95% interval)")
        for key in r.oneshot.keys.sorted(by: oneShotOrder) {
            let e = r.oneshot[key]!
            lines.append(key.padding(toLength: 22, withPad: " ", startingAt: 0)
                         + String(format: "%6.2f%% ± %.2f  (%d trials)", 100 * e.accuracy, 100 * e.ci95, e.trials))
        }
        return lines.joined(separator: "\n").replacingOccurrences(of: "nan", with: "   -")
    }

    static func oneShotOrder(_ a: String, _ b: String) -> Bool {
        let order = Evaluator.standardTasks.map(\.key)
        return (order.firstIndex(of: a) ?? 99, a) < (order.firstIndex(of: b) ?? 99, b)
    }
}
