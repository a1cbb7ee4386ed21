import ArgumentParser
import Foundation
import GlyphData
import GlyphSiamese

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Choose the model's same/different threshold again on a folder of your own labelled classes.",
        discussion: """
        The threshold is chosen on the folder's validation classes (the run's own split when it was trained on the \
        folder, else --split-seed and the fractions), never on the test classes that `evaluate` scores, and saved \
        into the checkpoint: evaluate, compare, search and serve then all use it.
        """
    )

    @OptionGroup var common: CommonOptions
    @Argument(help: "A run folder (its best checkpoint is updated) or a checkpoint file.") var runFolder: String
    @OptionGroup var split: ClassSplitOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try common.applyThreads()
        let checkpoint = try SiameseModel.checkpointURL(for: runFolder)
        let config = try RunConfiguration.read(forCheckpoint: checkpoint)
        let data = try RunConfiguration.scoringData(for: config, folder: common.dataFolder, plan: try split.plan(),
                                                    skipBadImages: split.skipBadImages) { text in
            if !output.json { output.status("glyphsim: \(text)") }
        }
        if !output.json { output.status("glyphsim: \(data.summary)") }
        let result = try Calibration.calibrate(checkpoint: checkpoint, validation: data.splits.validation)
        if output.json { return try output.printJSON(result) }
        let before = result.previousThreshold.map { String(format: "%.4f", $0) } ?? "none"
        let beforeAccuracy = result.previousAccuracy.map { String(format: " (pair accuracy %.4f)", $0) } ?? ""
        print("threshold \(before)\(beforeAccuracy) -> " + String(format: "%.4f (pair accuracy %.4f)", result.threshold, result.accuracy)
              + " on \(result.pairs) pairs of \(result.validationClasses) validation classes; saved in \(checkpoint.path)")
    }
}
