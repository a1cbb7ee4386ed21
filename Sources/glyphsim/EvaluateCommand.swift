import ArgumentParser
import Foundation
import GlyphData
import GlyphEngine
import GlyphSiamese

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a trained model: the course report's Table 1 (pair verification), N-way k-shot one-shot tasks and retrieval.",
        discussion: """
        --data takes Omniglot (scored on its evaluation set) or a folder of classes (scored on its held-out test \
        classes: the run's own split when it was trained on that folder, else --split-seed and the fractions).
        """
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "A run folder (its best checkpoint is used) or a checkpoint file.")
    var runFolder: String

    @OptionGroup var output: OutputOptions
    @Option(help: "Trials per one-shot task.") var trials: Int = 400
    @Option(help: "Seed of the evaluation's pairs and episodes.") var seed: UInt64 = 2021
    @Option(help: "Write a self-contained HTML report to this file.") var report: String?
    @OptionGroup var split: ClassSplitOptions

    static let courseReport = EvaluationReport.courseReportAccuracy

    func validate() throws {
        guard (1...1_000_000).contains(trials) else { throw ValidationError("--trials must lie in 1...1000000, not \(trials)") }
    }

    func run() throws {
        try common.applyThreads()
        let checkpoint = try SiameseModel.checkpointURL(for: runFolder)
        let file = try Checkpoint.read(from: checkpoint)
        let model = try SiameseModel.load(file, file: checkpoint.path)
        let runFolder = checkpoint.deletingLastPathComponent()
        let config = try RunConfiguration.read(forCheckpoint: checkpoint)
        let dataFolder = common.dataFolder
        // With --json, as with --quiet, standard error holds only warnings and errors.
        let silent = output.json || output.quiet
        let status: @Sendable (String) -> Void = { text in if !silent { printError(text) } }
        status("glyphsim: loading \(dataFolder.path)")
        // The validation and test classes are the run's own.
        let data = try RunConfiguration.scoringData(for: config, folder: dataFolder, plan: try split.plan(),
                                                    skipBadImages: split.skipBadImages) { status("glyphsim: \($0)") }
        status("glyphsim: \(data.summary)")
        for line in data.warnings { printError(line) }
        let splits = data.splits
        var evaluator = Evaluator(model: model, splits: splits)
        evaluator.seed = seed
        evaluator.trials = trials
        let result = try evaluator.run { status("glyphsim: \($0)") }

        if output.json {
            try output.printJSON(result)
        } else {
            print(Self.table(result, omniglot: data.kind == .omniglot))
        }
        if let report {
            let html = try HTMLReport.make(result: result, model: model, splits: splits, runFolder: runFolder)
            try RunFolder.writeAtomically(Data(html.utf8), to: URL(fileURLWithPath: report))
            if !output.json { print("report written to \(report)") }
        }
    }

    static func table(_ r: EvaluationReport, omniglot: Bool = true) -> String {
        func row(_ name: String, _ c: VerificationCounts, _ reported: Double) -> String {
            name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: "%8d %8d %10.4f %12.4f", c.truePredictions, c.falsePredictions, c.accuracy, reported)
        }
        let source = r.thresholdSource == "model" ? "the model's own, chosen on validation classes"
            : "the model has none: chosen here on validation classes"
        var lines = ["Model: \(r.model)   threshold \(String(format: "%.4f", r.threshold)) (\(source))", ""]
        lines.append("Table 1: pair verification (5 same + 5 different pairs per class; train = training and validation classes)")
        lines.append("split".padding(toLength: 22, withPad: " ", startingAt: 0) + "    True    False   Accuracy"
                     + (omniglot ? "  course report" : ""))
        lines.append(row("Train split", r.verification.train, omniglot ? courseReport.train : .nan))
        lines.append(row("Test split", r.verification.test, omniglot ? courseReport.test : .nan))
        lines.append(row("Train and test split", r.verification.trainAndTest, omniglot ? courseReport.trainAndTest : .nan))
        lines.append(String(format: "test split: ROC AUC %.4f, equal error rate %.4f", r.verification.rocAUC, r.verification.equalErrorRate))
        lines.append("")
        lines.append("Harder variant: different pairs from the same alphabet")
        lines.append(row("Train split", r.verificationSameAlphabet.train, .nan))
        lines.append(row("Test split", r.verificationSameAlphabet.test, .nan))
        lines.append(row("Train and test split", r.verificationSameAlphabet.trainAndTest, .nan))
        lines.append(String(format: "test split: ROC AUC %.4f, equal error rate %.4f",
                            r.verificationSameAlphabet.rocAUC, r.verificationSameAlphabet.equalErrorRate))
        lines.append("")
        lines.append("One-shot classification on the test classes (accuracy ± 95% interval)")
        for key in r.oneshot.keys.sorted(by: oneShotOrder) {
            let e = r.oneshot[key]!
            lines.append(key.padding(toLength: 22, withPad: " ", startingAt: 0)
                         + String(format: "%6.2f%% ± %.2f  (%d trials)", 100 * e.accuracy, 100 * e.ci95, e.trials))
        }
        for note in r.notes { lines.append("note: \(note)") }
        lines.append("")
        lines.append(String(format: "Retrieval on the test classes (%d queries): precision@1 %.4f, R-precision %.4f, MAP@R %.4f",
                            r.retrieval.queries, r.retrieval.precisionAt1, r.retrieval.rPrecision, r.retrieval.mapAtR))
        return lines.joined(separator: "\n").replacingOccurrences(of: "nan", with: "   -")
    }

    static func oneShotOrder(_ a: String, _ b: String) -> Bool {
        let order = Evaluator.standardTasks.map(\.key)
        return (order.firstIndex(of: a) ?? 99, a) < (order.firstIndex(of: b) ?? 99, b)
    }
}

/// How a folder of classes is split when the run being scored was not trained on one.
struct ClassSplitOptions: ParsableArguments {
    @Option(help: "A folder of classes the run was not trained on: fraction of classes for validation.")
    var validationFraction: Double = ClassSplitPlan.defaultValidationFraction
    @Option(help: "A folder of classes the run was not trained on: fraction of classes held out for testing.")
    var testFraction: Double = ClassSplitPlan.defaultTestFraction
    @Option(help: "A folder of classes the run was not trained on: seed of the split by class (as train's).")
    var splitSeed: UInt64 = ClassSplitPlan().seed
    @Flag(help: "Report unreadable images as warnings and go on, instead of stopping at the first.")
    var skipBadImages = false

    func plan() throws -> ClassSplitPlan {
        ClassSplitPlan(validationFraction: validationFraction, testFraction: testFraction, seed: splitSeed)
    }
}
