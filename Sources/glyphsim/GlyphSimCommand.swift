import ArgumentParser
import Foundation

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
        main(arguments)
    }
}
