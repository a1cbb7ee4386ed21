import ArgumentParser
import Foundation
import GlyphSiamese

@main
struct GlyphSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glyphsim",
        abstract: "Learn whether two glyphs show the same character (Siamese networks on Omniglot or your own glyph folders).",
        discussion: """
        Typical use: `glyphsim fetch`, then `glyphsim train --out runs/demo`, then `glyphsim evaluate runs/demo`.
        Your own glyphs: `glyphsim train --data my-glyphs --init runs/demo --out runs/mine`.
        The data folder is --data, else $GLYPHSIM_DATA, else the user cache (~/.cache/glyphsim).
        """,
        version: "0.3.0",
        subcommands: [FetchCommand.self, TrainCommand.self, EvaluateCommand.self, OneShotCommand.self,
                      CompareCommand.self, EmbedCommand.self, SearchCommand.self, IndexCommand.self, CalibrateCommand.self, BenchCommand.self,
                      ServeCommand.self]
    )

    static func main() {
        ProcessSettings.apply()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let message = ArgumentCheck.problem(arguments) {
            printError("Error: \(message)")
            Foundation.exit(64)
        }
        let command: any ParsableCommand
        do { command = try parseAsRoot(arguments) } catch { exit(withError: error) }
        var running = command
        do {
            try running.run()
        } catch {
            exitShowingUsage(of: type(of: command), error)
        }
    }

    /// Ends the program for an error that `run()` threw. A bad option value found there (a
    /// `ValidationError`, or a configuration `TrainingConfig.validate()` refused) prints the
    /// message with the usage of the subcommand that was run, as a parse error does, and exits
    /// 64; any other error goes the parser's way (its message, exit 1).
    static func exitShowingUsage(of subcommand: any ParsableCommand.Type, _ error: any Error) -> Never {
        let message: String
        switch error {
        case let error as ValidationError: message = error.message
        case let SiameseError.invalidConfiguration(text): message = text
        default: exit(withError: error)
        }
        let name = (["glyphsim"] + path(to: subcommand, from: Self.self)).joined(separator: " ")
        printError("Error: \(message)\nUsage: \(usageString(for: subcommand))\n  See '\(name) --help' for more information.")
        Foundation.exit(ExitCode.validationFailure.rawValue)
    }

    /// The names of the subcommands from `root` down to `target` (`["index", "build"]`).
    static func path(to target: any ParsableCommand.Type, from root: any ParsableCommand.Type) -> [String] {
        for sub in root.configuration.subcommands {
            if sub == target { return [sub._commandName] }
            let below = path(to: target, from: sub)
            if !below.isEmpty { return [sub._commandName] + below }
        }
        return []
    }
}
