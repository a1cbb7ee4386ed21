import Foundation
import GlyphData
import GlyphSiamese
import Testing

/// A user's own folder of classes, end to end through the built binary: train on it, evaluate
/// its held-out classes, calibrate the one threshold, fine-tune from a trained run.
@Suite(.serialized) struct OwnGlyphsCommandTests {
    /// `<group>/<class>/<k>.png` made from Omniglot's background npz: 3 alphabets x 8 characters
    /// x 6 drawings, dark ink on white paper as a scan would be.
    static func writeGroupedFolder(in root: URL) throws -> URL {
        let folder = root.appendingPathComponent("my-glyphs")
        let background = try Omniglot.loadNPZ(URL(fileURLWithPath: try dataFolder()).appendingPathComponent("images_background.npz"),
                                              set: .background)
        let n = background.pixelsPerImage
        for alphabet in background.alphabets.prefix(3) {
            let characters = background.characters.indices.filter { background.characters[$0].alphabet == alphabet }.prefix(8)
            for c in characters {
                let classFolder = folder.appendingPathComponent(alphabet).appendingPathComponent("char\(c)")
                try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
                for (k, i) in background.imagesOfCharacter[c].prefix(6).enumerated() {
                    let pixels = background.ink[(i * n)..<((i + 1) * n)].map { 255 - $0 }
                    try PNGEncoder.encode(Array(pixels), width: background.side, height: background.side)
                        .write(to: classFolder.appendingPathComponent("\(k).png"))
                }
            }
        }
        return folder
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(.needsOmniglot) func trainEvaluateCalibrateAndFineTuneOnAFolderOfClasses() throws {
        let root = try temporaryFolder("own-glyphs")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try Self.writeGroupedFolder(in: root)
        let run = root.appendingPathComponent("run")

        let train = try CLI.run(["train", "--data", data.path, "--out", run.path, "--epochs", "1", "--threads", "2"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.contains("user folder <group>/<class>/<image>, 24 classes in 3 groups, 144 images"), "\(train.stderr)")
        #expect(train.stderr.contains("16 train, 4 validation, 4 test"), "\(train.stderr)")
        let config = try json(try String(contentsOf: run.appendingPathComponent("config.json"), encoding: .utf8))
        #expect(config["data"] as? String == "folder")

        // evaluate scores the run's own test classes, with the model's one threshold.
        let evaluate = try CLI.run(["evaluate", run.path, "--data", data.path, "--json"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let report = try json(evaluate.stdout)
        #expect(report["threshold_source"] as? String == "model")
        let threshold = try #require(report["threshold"] as? Double)
        let retrieval = try #require(report["retrieval"] as? [String: Any])
        #expect((retrieval["queries"] as? Int) == 24)
        for key in ["precision_at_1", "r_precision", "map_at_r"] {
            let v = try #require(retrieval[key] as? Double)
            #expect(v >= 0 && v <= 1)
        }
        let oneshot = try #require(report["oneshot"] as? [String: Any])
        #expect(oneshot["4way_1shot_across"] != nil, "\(oneshot.keys)")
        let notes = try #require(report["notes"] as? [String])
        #expect(notes.contains { $0.contains("capped at 4 ways") })

        // compare decides with the same threshold evaluate printed.
        let first = data.appendingPathComponent(try FileManager.default.subpathsOfDirectory(atPath: data.path)
            .filter { $0.hasSuffix(".png") }.sorted()[0])
        let compare = try CLI.run(["compare", run.path, first.path, first.path, "--json"])
        #expect(compare.status == 0, "\(compare.stderr)")
        let compared = try json(compare.stdout)
        #expect(abs((compared["threshold"] as? Double ?? -1) - threshold) < 1e-6)

        // calibrate chooses it again on the validation classes and saves it; evaluate then uses it.
        let calibrate = try CLI.run(["calibrate", run.path, "--data", data.path, "--json"])
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        let calibrated = try json(calibrate.stdout)
        let newThreshold = try #require(calibrated["threshold"] as? Double)
        #expect((calibrated["validation_classes"] as? Int) == 4)
        let again = try json(try CLI.run(["evaluate", run.path, "--data", data.path, "--json"]).stdout)
        #expect(abs((again["threshold"] as? Double ?? -1) - newThreshold) < 1e-6)

        // Fine-tuning keeps the architecture, scores the starting model first, and trains.
        let tuned = root.appendingPathComponent("tuned")
        let fineTune = try CLI.run(["train", "--data", data.path, "--init", run.path, "--out", tuned.path, "--epochs", "1"])
        #expect(fineTune.status == 0, "\(fineTune.stderr)")
        let tunedConfig = try json(try String(contentsOf: tuned.appendingPathComponent("config.json"), encoding: .utf8))
        #expect((tunedConfig["initialized_from"] as? String)?.contains("best.safetensors") == true, "\(tunedConfig)")
        let log = try String(contentsOf: tuned.appendingPathComponent("log.jsonl"), encoding: .utf8)
        #expect(log.split(separator: "\n").first?.contains("\"kind\":\"start\"") == true, "\(log.prefix(300))")
        let refused = try CLI.run(["train", "--data", data.path, "--init", run.path, "--out", root.appendingPathComponent("x").path,
                                   "--widths", "8,8,8,8"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--widths cannot change the architecture"), "\(refused.stderr)")
    }

    @Test(.needsOmniglot) func evaluateRefusesAModelWithoutItsTrainingConfiguration() throws {
        let root = try temporaryFolder("no-config")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let model = try SiameseModel(config: ModelConfig(preset: .fast), seed: 3)
        try model.save(to: run.appendingPathComponent(RunFolder.bestCheckpoint))
        let result = try CLI.run(["evaluate", run.path, "--data", try dataFolder()])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot tell which classes it was trained on"), "\(result.stderr)")
    }
}
