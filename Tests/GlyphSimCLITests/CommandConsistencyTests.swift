import Foundation
import GlyphData
import GlyphEngine
import GlyphSiamese
import Testing

/// The commands agree: the common options everywhere they apply, snake_case JSON keys, help
/// texts that state the defaults the code uses, and usage errors that show the subcommand's usage.
@Suite struct CommandConsistencyTests {
    /// Help text with its line wrapping undone, so that a phrase can be found whole.
    static func help(_ arguments: [String]) throws -> String {
        let result = try CLI.run(arguments + ["--help"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The first match's capture groups of `pattern` in `text`.
    static func captures(_ pattern: String, in text: String) -> [String]? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<match.numberOfRanges).compactMap { Range(match.range(at: $0), in: text).map { String(text[$0]) } }
    }

    @Test func trainHelpStatesTheDefaultsOfTrainingConfig() throws {
        let text = try Self.help(["train"])
        let fast = TrainingConfig(model: ModelConfig(preset: .fast)), koch = TrainingConfig(model: ModelConfig(preset: .koch))
        func perPreset(_ option: String) throws -> (fast: String, koch: String) {
            let found = try #require(Self.captures(#"\#(option) .*?\(default: ([^ ,)]+) fast, ([^ ,)]+) koch"#, in: text),
                                     "no per-preset default after \(option) in: \(text)")
            return (found[0], found[1])
        }
        let epochs = try perPreset("--epochs <epochs>")
        #expect(Int(epochs.fast) == fast.epochs && Int(epochs.koch) == koch.epochs, "\(epochs)")
        let lr = try perPreset("--lr <lr>")
        #expect(Float(lr.fast) == fast.learningRate && Float(lr.koch) == koch.learningRate, "\(lr)")
        let momentum = try perPreset("--momentum <momentum>")
        #expect(Float(momentum.fast) == fast.momentum && Float(momentum.koch) == koch.momentum, "\(momentum)")
        let schedule = try perPreset("--schedule <schedule>")
        #expect(schedule.fast == "\(fast.schedule)" && schedule.koch == "\(koch.schedule)", "\(schedule)")
        let loss = try perPreset("--loss <loss>")
        #expect(loss.fast == fast.loss.rawValue && loss.koch == koch.loss.rawValue, "\(loss)")
        let side = try perPreset("--image-size <image-size>")
        #expect(Int(side.fast) == fast.model.imageSize && Int(side.koch) == koch.model.imageSize, "\(side)")
        let embedding = try perPreset("--embedding-size <embedding-size>")
        #expect(Int(embedding.fast) == fast.model.embeddingSize && Int(embedding.koch) == koch.model.embeddingSize, "\(embedding)")
        let normalization = try perPreset("--normalization <normalization>")
        #expect(normalization.fast == fast.model.normalization.rawValue && normalization.koch == koch.model.normalization.rawValue)
        let rotate = try perPreset("--rotate-characters <rotate-characters>")
        #expect((rotate.fast == "on") == (fast.rotatedCharacters == true) && (rotate.koch == "on") == (koch.rotatedCharacters == true))

        let batch = try #require(Self.captures(#"--batch-size <batch-size> .*?default (\d+)"#, in: text))
        #expect(Int(batch[0]) == fast.batchSize)
        let widths = try #require(Self.captures(#"--widths <widths> .*?\(default ([\d,]+)\)"#, in: text))
        #expect(widths[0].split(separator: ",").compactMap { Int($0) } == fast.model.blockWidths)
        let pools = try #require(Self.captures(#"--pools <pools> .*?\(default (\d+)\)"#, in: text))
        #expect(Int(pools[0]) == fast.model.poolCount)
        let k = try #require(Self.captures(#"--images-per-character <images-per-character> .*?\(default: (\d+) prototypical, (\d+) triplet"#, in: text))
        #expect(Int(k[0]) == fast.imagesPerCharacter && Int(k[1]) == TrainingConfig.defaultImagesPerCharacter(for: .triplet))
        let temperature = try #require(Self.captures(#"--temperature <temperature> .*?\(default ([\d.]+) with L2"#, in: text))
        #expect(Float(temperature[0]) == fast.effectiveTemperature)
        let fractions = try #require(Self.captures(#"--validation-fraction <validation-fraction> .*?\(default ([\d.]+)\)"#, in: text))
        #expect(Double(fractions[0]) == ClassSplitPlan.defaultValidationFraction)
        #expect(text.contains("trains \(fast.epochs) epochs"), "the discussion's epochs: \(text.prefix(900))")

        // Enum values as the parser accepts them (kebab-case), never the Swift case names.
        for stated in ["(default: batch-all)", "(default: same-alphabet)", "default: course-report)"] {
            #expect(text.contains(stated), "missing '\(stated)'")
        }
        for caseName in ["batchAll", "sameAlphabet", "semiHard", "courseReport", "seed report", "the seed's"] {
            #expect(!text.contains(caseName), "train --help shows '\(caseName)'")
        }
    }

    @Test func everyCommandTakesTheCommonOptionsThatApplyToIt() throws {
        let commands: [([String], [String])] = [
            (["compare"], ["--threads", "--json", "--quiet"]),
            (["embed"], ["--threads", "--json", "--quiet"]),
            (["search"], ["--threads", "--json", "--quiet"]),
            (["oneshot"], ["--data", "--threads", "--json", "--quiet"]),
            (["evaluate"], ["--data", "--threads", "--json", "--quiet"]),
            (["calibrate"], ["--data", "--threads", "--json", "--quiet"]),
            (["index", "build"], ["--threads", "--json", "--quiet"]),
            (["index", "add"], ["--threads", "--json", "--quiet"]),
            (["index", "info"], ["--json", "--quiet"]),
            (["index", "sample-embeddings"], ["--data", "--threads", "--quiet"]),
            (["index", "bench"], ["--threads", "--json", "--quiet"]),
            (["train"], ["--data", "--threads", "--quiet"]),
            (["bench"], ["--threads", "--json"]),
            (["serve"], ["--data", "--threads"]),
        ]
        for (command, options) in commands {
            let text = try Self.help(command)
            for option in options {
                #expect(text.contains(option + " ") || text.contains(option + ","), "\(command.joined(separator: " ")) has no \(option)")
            }
        }
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3,
                "\(version.stdout)")
    }

    @Test func aBadOptionValueShowsTheSubcommandsUsage() throws {
        let folder = try temporaryFolder("usage")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Hostile.tinyCheckpoint(in: folder)
        let image = try Hostile.writeImage(in: folder)
        let out = folder.appendingPathComponent("never").path
        let cases: [(arguments: [String], usage: String, naming: String)] = [
            (["train", "--epochs", "x", "--out", out], "glyphsim train", "--epochs"),          // refused by the parser
            (["train", "--epochs", "0", "--out", out], "glyphsim train", "--epochs"),          // refused by TrainingConfig.validate
            (["train", "--splits", "nonsense", "--out", out], "glyphsim train", "--splits"),
            (["train", "--mining", "batchall", "--out", out], "glyphsim train", "--mining"),
            (["compare", run.path, image.path, image.path, "--threads", "0"], "glyphsim compare", "--threads"),
            (["search", run.path, image.path, "--in", folder.path, "--top", "0"], "glyphsim search", "--top"),
            (["index", "build", run.path, image.path, "--out", out, "--threads", "0"], "glyphsim index build", "--threads"),
            (["index", "build", run.path, image.path, "--out", out, "--hnsw-m", "1", "--approximate"], "glyphsim index build", "--hnsw-m"),
            (["evaluate", run.path, "--trials", "0"], "glyphsim evaluate", "--trials"),
        ]
        for c in cases {
            let result = try CLI.run(c.arguments)
            let name = c.arguments.joined(separator: " ")
            #expect(result.status == 64, "\(name): exit \(result.status)\n\(result.stderr)")
            #expect(result.stderr.contains("Error:") && result.stderr.contains(c.naming), "\(name): \(result.stderr)")
            #expect(result.stderr.contains("Usage: \(c.usage) "), "\(name): not the subcommand's usage:\n\(result.stderr)")
            #expect(result.stderr.contains("See '\(c.usage) --help'"), "\(name): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        // `seed`, the course-report split's old name, is still accepted (the run then fails on
        // --epochs, after --splits parsed).
        let alias = try CLI.run(["train", "--splits", "seed", "--epochs", "0", "--out", out])
        #expect(alias.status == 64 && alias.stderr.contains("--epochs") && !alias.stderr.contains("--splits"), "\(alias.stderr)")
    }

    /// Every key of a JSON document, nested ones too.
    static func keys(_ value: Any) -> [String] {
        if let object = value as? [String: Any] { return object.keys + object.values.flatMap(keys) }
        if let array = value as? [Any] { return array.flatMap(keys) }
        return []
    }

    static func expectSnakeCase(_ stdout: String, _ name: String) throws {
        let lines = stdout.split(separator: "\n")
        #expect(!lines.isEmpty, "\(name) printed nothing")
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            let camel = Self.keys(object).filter { $0.range(of: "^[a-z0-9_+]+$", options: .regularExpression) == nil }
            #expect(camel.isEmpty, "\(name): keys not in snake_case: \(camel)")
        }
    }

    @Test func jsonOutputsUseSnakeCaseKeys() throws {
        let folder = try temporaryFolder("json-keys")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Hostile.tinyCheckpoint(in: folder)
        let glyphs = folder.appendingPathComponent("glyphs")
        try FileManager.default.createDirectory(at: glyphs, withIntermediateDirectories: true)
        let image = try Hostile.writeImage(in: glyphs)
        try PNGEncoder.encodeGlyph(drawGlyph(side: 40, cross: false), side: 40).write(to: glyphs.appendingPathComponent("ring.png"))
        let index = folder.appendingPathComponent("glyphs.index").path
        let runs: [(String, [String])] = [
            ("compare", ["compare", run.path, image.path, image.path, "--json", "--threads", "1"]),
            ("embed", ["embed", run.path, glyphs.path, "--out", folder.appendingPathComponent("e.npy").path, "--json", "--quiet"]),
            ("index build", ["index", "build", run.path, glyphs.path, "--out", index, "--json", "--quiet"]),
            ("index info", ["index", "info", index, "--json"]),
            ("search", ["search", run.path, image.path, "--index", index, "--json", "--threads", "1", "--quiet"]),
        ]
        for (name, arguments) in runs {
            let result = try CLI.run(arguments)
            #expect(result.status == 0, "\(name): \(result.stderr)")
            try Self.expectSnakeCase(result.stdout, name)
            if name != "search" { #expect(result.stderr.isEmpty, "\(name) --quiet printed: \(result.stderr)") }
        }
        let compare = try #require(try JSONSerialization.jsonObject(with: Data(try CLI.run(
            ["compare", run.path, image.path, image.path, "--json"]).stdout.utf8)) as? [String: Any])
        #expect(compare["is_same"] as? Bool == true && compare["isSame"] == nil)
        let info = try #require(try JSONSerialization.jsonObject(with: Data(try CLI.run(["index", "info", index, "--json"]).stdout.utf8))
            as? [String: Any])
        #expect(info["images"] as? Int == 2 && info["model_fingerprint"] is String)
    }

    @Test func benchMeasuresTheDefaultModelsPrototypicalStep() throws {
        let result = try CLI.run(["bench", "--model", "fast", "--mode", "prototypical", "--images", "8", "--seconds", "0.01",
                                  "--threads", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        try Self.expectSnakeCase(result.stdout, "bench")
        let m = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(m["model"] as? String == "fast" && m["mode"] as? String == "prototypical" && m["images"] as? Int == 8)
        #expect((m["images_per_second"] as? Double ?? 0) > 0)
        // The measured network is the one train builds by default.
        #expect(TrainingBenchmark.Model.fast.config == TrainingConfig(model: ModelConfig(preset: .fast)).model)
        #expect(TrainingBenchmark.Model.fast.defaultMode == .prototypical)
    }
}
