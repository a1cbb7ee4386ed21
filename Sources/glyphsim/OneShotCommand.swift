import ArgumentParser
import Foundation
import GlyphData
import GlyphSiamese

struct OneShotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oneshot",
        abstract: "Score Lake et al.'s official 20-way within-alphabet one-shot runs (all_runs.zip, zip or folder)."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "A run folder or checkpoint (not needed with --baseline).")
    var runFolder: String?

    @Option(help: "The runs: all_runs.zip or its extracted folder (default: all_runs.zip in the data folder).")
    var runs: String?

    @Option(help: "Score a baseline instead of a model: mhd (modified Hausdorff distance).")
    var baseline: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        try common.applyThreads()
        let runsPath = runs ?? common.dataFolder.appendingPathComponent("all_runs.zip").path
        let oneShotRuns = try OneShotRuns.load(from: URL(fileURLWithPath: runsPath))
        let result: OfficialOneShot.Result
        switch (baseline, runFolder) {
        case ("mhd", _):
            result = OfficialOneShot.scoreMHD(oneShotRuns)
        case let (nil, path?):
            let model = try SiameseModel.load(from: try SiameseModel.checkpointURL(for: path))
            result = try OfficialOneShot.score(oneShotRuns, model: model)
        case (nil, nil):
            throw ValidationError("give a run folder or checkpoint, or --baseline mhd")
        case let (other?, _):
            throw ValidationError("unknown baseline '\(other)'; the one baseline is mhd")
        }
        if output.json {
            try output.printJSON(result)
        } else {
            for r in result.runs { print(r.run + String(format: "  error %5.1f%%", r.errorPercent)) }
            print(String(format: "mean error over %d runs: %.2f%% (accuracy %.2f%%)", result.runs.count,
                         result.meanErrorPercent, 100 - result.meanErrorPercent))
        }
    }
}
