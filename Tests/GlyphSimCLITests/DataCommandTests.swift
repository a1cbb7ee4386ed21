import Foundation
import GlyphEngine
import Testing

/// Commands on the real Omniglot data (GLYPHSIM_DATA): the official one-shot runs, a short
/// training run, its evaluation, and a run stopped with Ctrl-C then resumed.
@Suite(.serialized) struct DataCommandTests {
    @Test(.needsOmniglot) func modifiedHausdorffBaselineGivesTheAuthorsFigures() throws {
        let data = try dataFolder()
        let result = try CLI.run(["oneshot", "--baseline", "mhd", "--runs", data + "/one_shot_runs_sample.zip", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.map { $0["run"] as? String } == ["run01", "run02"])
        #expect(runs.map { $0["error_percent"] as? Double } == [45.0, 35.0])
        #expect(json["mean_error_percent"] as? Double == 40.0)
    }

    @Test func missingRunsFileIsAClearError() throws {
        let result = try CLI.run(["oneshot", "--baseline", "mhd", "--runs", "/nonexistent/all_runs.zip"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/all_runs.zip"))
    }

    @Test(.needsOmniglot) func trainThenEvaluateOnTheRealData() throws {
        let data = try dataFolder()
        let folder = try temporaryFolder("train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run").path
        let train = try CLI.run(["train", "--data", data, "--out", run, "--epochs", "2", "--images-per-epoch", "1024",
                                 "--batch-size", "128", "--seed", "5"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("epoch 2/2"))
        for file in ["config.json", "best.safetensors", "last.safetensors", "log.jsonl", "loss.svg"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + file), "\(file) missing")
        }
        let svg = try String(contentsOfFile: run + "/loss.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("<polyline"))
        let log = try String(contentsOfFile: run + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(log.filter { $0.contains("\"kind\":\"epoch\"") }.count == 2)
        // The fast preset's defaults reach the saved configuration: 32x32, prototypical, K = 2.
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any])
        #expect(config["loss"] as? String == "prototypical" && config["images_per_character"] as? Int == 2)
        #expect((config["model"] as? [String: Any])?["image_size"] as? Int == 32)

        let evaluate = try CLI.run(["evaluate", run, "--data", data, "--json", "--trials", "100"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as? [String: Any])
        let table = try #require(json["verification"] as? [String: Any])
        var verification = [String: [String: Any]]()
        for split in ["train", "test", "train+test"] { verification[split] = table[split] as? [String: Any] }
        #expect(table["roc_auc"] is Double && table["eer"] is Double)
        #expect(verification["train"]?["pairs"] as? Int == 9640)
        #expect(verification["test"]?["pairs"] as? Int == 6590)
        #expect(verification["train+test"]?["pairs"] as? Int == 16230)
        for split in ["train", "test", "train+test"] {
            let t = verification[split]?["true"] as? Int ?? -1, f = verification[split]?["false"] as? Int ?? -1
            #expect(t + f == verification[split]?["pairs"] as? Int)
        }
        #expect(json["threshold"] is Double)
        #expect(json["roc_auc"] is Double)
        let oneshot = try #require(json["oneshot"] as? [String: [String: Any]])
        for key in ["20way_1shot_within", "20way_1shot_across", "5way_1shot_across"] {
            #expect(oneshot[key]?["accuracy"] is Double, "\(key)")
            #expect(oneshot[key]?["ci95"] is Double, "\(key)")
            #expect(oneshot[key]?["trials"] is Int, "\(key)")
        }
        // Two epochs of training already beat chance (5%) on 20-way within-alphabet one-shot.
        #expect((oneshot["20way_1shot_within"]?["accuracy"] as? Double ?? 0) > 0.10)

        let report = folder.appendingPathComponent("report.html").path
        let html = try CLI.run(["evaluate", run, "--data", data, "--trials", "40", "--report", report])
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.contains("Train and test split"))
        let page = try String(contentsOfFile: report, encoding: .utf8)
        for part in ["Table 1", "ROC", "<svg", "Hardest mistakes", "Training loss against time"] {
            #expect(page.contains(part), "report lacks \(part)")
        }
    }

    /// K defaults per loss: 4 for triplet mining (several positives per anchor) even though the
    /// preset's prototypical default is 2.
    @Test(.needsOmniglot) func tripletTrainingKeepsFourImagesPerCharacter() throws {
        let data = try dataFolder()
        let folder = try temporaryFolder("tripletK")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run").path
        let train = try CLI.run(["train", "--data", data, "--out", run, "--loss", "triplet", "--epochs", "1",
                                 "--images-per-epoch", "192", "--batch-size", "96", "--image-size", "28"])
        #expect(train.status == 0, "\(train.stderr)")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any])
        #expect(config["loss"] as? String == "triplet" && config["images_per_character"] as? Int == 4)
    }

    @Test(.needsOmniglot) func ctrlCStopsCleanlyAndResumeMatchesAnUninterruptedRun() throws {
        let data = try dataFolder()
        let folder = try temporaryFolder("resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = ["--data", data, "--epochs", "2", "--images-per-epoch", "3072", "--batch-size", "128", "--seed", "9",
                       "--threads", "2"]
        let straight = folder.appendingPathComponent("straight").path
        let full = try CLI.run(["train", "--out", straight] + options)
        #expect(full.status == 0, "\(full.stderr)")

        // Interrupt a second run with SIGINT once it has taken a few steps.
        let interrupted = folder.appendingPathComponent("interrupted").path
        let stopped = try CLI.run(["train", "--out", interrupted] + options) { process in
            let log = interrupted + "/log.jsonl"
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                if let text = try? String(contentsOfFile: log, encoding: .utf8), text.split(separator: "\n").count >= 2 { break }
                usleep(20_000)
            }
            kill(process.processIdentifier, SIGINT)
        }
        #expect(stopped.status == 130, "\(stopped.stdout)\n\(stopped.stderr)")
        #expect(stopped.stdout.contains("--resume"))
        let resumed = try CLI.run(["train", "--resume", interrupted, "--data", data, "--threads", "2"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming"))

        let a = try Checkpoint.read(from: URL(fileURLWithPath: straight + "/last.safetensors"))
        let b = try Checkpoint.read(from: URL(fileURLWithPath: interrupted + "/last.safetensors"))
        #expect(a.tensors.keys.sorted() == b.tensors.keys.sorted())
        for (name, tensor) in a.tensors {
            #expect(tensor == b.tensors[name], "\(name) differs after resume")
        }
    }
}
