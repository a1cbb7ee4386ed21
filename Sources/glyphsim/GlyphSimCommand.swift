import ArgumentParser

@main
struct GlyphSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glyphsim",
        abstract: "Learn whether two handwritten glyphs show the same character (Siamese networks on Omniglot).",
        discussion: """
        Typical use: `glyphsim fetch`, then `glyphsim train --out runs/demo`, then `glyphsim evaluate runs/demo`.
        The data folder is --data, else $GLYPHSIM_DATA, else the user cache (~/.cache/glyphsim).
        """,
        subcommands: [FetchCommand.self, TrainCommand.self, EvaluateCommand.self, OneShotCommand.self,
                      CompareCommand.self, EmbedCommand.self, SearchCommand.self, BenchCommand.self,
                      ServeCommand.self]
    )

    static func main() {
        OpenMPWaitPolicy.applyShortSpin()
        main(nil)
    }
}
