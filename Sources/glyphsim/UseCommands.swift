import ArgumentParser
import Foundation
import GlyphData
import GlyphEngine
import GlyphSiamese

/// Options for commands that read a user's images with a trained model.
struct ModelOptions: ParsableArguments {
    @Argument(help: "A run folder (its best checkpoint is used) or a checkpoint file.")
    var run: String

    @Option(help: "Ink polarity of the images: auto (detect), dark-ink or light-ink (default: the model's).")
    var polarity: String?

    @Flag(help: "A bad image file becomes a warning line (and a count at the end) instead of an error.")
    var skipBadImages = false

    func load() throws -> SiameseModel {
        try SiameseModel.load(from: try SiameseModel.checkpointURL(for: run))
    }

    /// The polarity asked for, or nil to use the model's preprocessing.
    func parsedPolarity() throws -> UserImages.Polarity? {
        guard let polarity else { return nil }
        switch polarity {
        case "auto": return .auto
        case "dark-ink", "darkInk": return .darkInk
        case "light-ink", "lightInk": return .lightInk
        default: throw ValidationError("--polarity takes auto, dark-ink or light-ink, not \(polarity)")
        }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Same character or not? The distance and similarity of two glyph images.")

    @OptionGroup var model: ModelOptions
    @Argument(help: "First image (PNG, JPEG or TIFF).") var first: String
    @Argument(help: "Second image (PNG, JPEG or TIFF).") var second: String
    @OptionGroup var compute: ThreadsOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        try compute.apply()
        let m = try model.load()
        let c = try m.compare(URL(fileURLWithPath: first), URL(fileURLWithPath: second), polarity: try model.parsedPolarity())
        if output.json {
            try output.printJSON(c)
            return
        }
        print(String(format: "distance %.4f  similarity %.4f", c.distance, c.similarity))
        if let same = c.isSame, let t = c.threshold {
            print((same ? "same character" : "different characters") + String(format: " (threshold %.4f)", t))
        } else {
            print("no decision: the model has no threshold (it was never validated)")
        }
    }
}

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Write the embeddings of images (files or folders) to CSV, or .npy when the name ends in .npy.")

    @OptionGroup var model: ModelOptions
    @Argument(help: "Images (PNG, JPEG or TIFF) or folders of them.") var inputs: [String]
    @Option(help: "Output file (.csv or .npy; with .npy the file names go to FILE.names.txt).") var out: String
    @OptionGroup var compute: ThreadsOption
    @OptionGroup var output: OutputOptions

    /// What `--json` prints: where the embeddings went.
    struct Summary: Encodable {
        var embeddings: Int
        var dimension: Int
        var out: String
        var names: String?
        var skipped: Int
    }

    func run() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one image or folder") }
        try compute.apply()
        let m = try model.load()
        let listed = try ImagePaths.list(inputs.map { URL(fileURLWithPath: $0) })
        let (embeddings, files, warnings) = try m.embed(files: listed, polarity: try model.parsedPolarity(),
                                                       skipBadImages: model.skipBadImages)
        for warning in warnings { printError("warning: \(warning)") }
        if !warnings.isEmpty { printError("\(warnings.count) bad images skipped") }
        let outURL = URL(fileURLWithPath: out)
        let names = files.map(\.path)
        var summary = Summary(embeddings: embeddings.count, dimension: embeddings.dimension, out: out, skipped: warnings.count)
        if outURL.pathExtension.lowercased() == "npy" {
            let namesURL = outURL.deletingPathExtension().appendingPathExtension("names.txt")
            // Both files or neither: the array without its names (or the reverse) is a wrong result.
            try AtomicFileWriter.writeAll([(EmbeddingExport.npy(embeddings), outURL),
                                           (Data(try EmbeddingExport.namesText(names).utf8), namesURL)])
            summary.names = namesURL.path
        } else {
            try RunFolder.writeAtomically(Data(EmbeddingExport.csv(names: names, embeddings: embeddings).utf8), to: outURL)
        }
        if output.json {
            try output.printJSON(summary)
        } else {
            print("wrote \(embeddings.count) embeddings of size \(embeddings.dimension) to \(out)"
                  + (summary.names.map { " (names in \($0))" } ?? ""))
        }
    }
}

struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch", abstract: "Download the official Omniglot zips (and the one-shot runs), verified by md5.")

    @Option(help: "Data folder to fill (default: $GLYPHSIM_DATA, then ~/.cache/glyphsim).") var data: String?
    @Flag(help: "No progress bar on standard error.") var quiet = false

    func run() throws {
        let folder = DataLocation.resolve(explicit: data, environment: ProcessSettings.environment)
        print("fetching Omniglot into \(folder.path)")
        var bar = ProgressBar()
        let quiet = self.quiet
        try OmniglotDownloader(folder: folder).fetch { name, done, total in
            if let total, !quiet {
                bar.draw(label: name, done: Int(done / 1024), total: Int(total / 1024), detail: "KiB")
            }
        }
        print("done: \(folder.path)")
    }
}
