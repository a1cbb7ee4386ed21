import ArgumentParser

@main
struct GlyphSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glyphsim",
        abstract: "Learn whether two handwritten glyphs show the same character (Siamese networks on Omniglot).",
        subcommands: []
    )
}
