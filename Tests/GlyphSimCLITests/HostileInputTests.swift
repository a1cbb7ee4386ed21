import Foundation
import GlyphData
import GlyphEngine
import GlyphSiamese
import Testing

/// Crafted files and arguments, one or more per class of issue 12's table, run through the
/// built release binary under a memory cap and a time limit. Every case must end with a clean
/// refusal: a non-zero exit that is not a signal or a timeout, one `Error:` line naming the
/// file or option at fault, and no partial, temporary or stale file left behind.
///
/// Other readers (JPEG, TIFF, index files, HTTP bodies) add their cases in their own files
/// with `Hostile.run` and `Hostile.expectRefusal`.
@Suite(.serialized) struct HostileInputTests {
    // MARK: safetensors checkpoints

    @Test func checkpointsWithNonFiniteOrImpossibleValuesAreRefusedNamingTheTensor() throws {
        let folder = try temporaryFolder("hostile-checkpoint")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try Hostile.writeImage(in: folder)
        let good = try Data(contentsOf: try Hostile.tinyCheckpoint(in: folder))
        let header = try SafetensorsFile(good)
        let weight = header.tensorNames.first { $0.hasSuffix("weight") }!
        let variance = header.tensorNames.first { $0.hasSuffix("running_var") }!

        var cases: [(name: String, bytes: Data, needle: String)] = []
        cases.append(("nan.safetensors", header.withFirstValue(of: weight, Float.nan), weight))
        cases.append(("inf.safetensors", header.withFirstValue(of: weight, Float.infinity), weight))
        cases.append(("negvar.safetensors", header.withFirstValue(of: variance, -1), variance))
        cases.append(("threshold.safetensors", try header.withMetadata("glyphsim.threshold", "nan"), "glyphsim.threshold"))
        // 4 KB of metadata declaring widths that would need hundreds of gigabytes of weights.
        var huge = try header.metadataJSON("glyphsim.model")
        huge["widths"] = [64, 64, 192, 300_000]
        cases.append(("widths.safetensors", try header.withMetadata("glyphsim.model", json(huge)), "width"))
        huge["widths"] = [2048, 2048, 2048, 2048]
        huge["imageSize"] = 256
        huge["pools"] = 0
        huge["embeddingSize"] = 16384
        cases.append(("params.safetensors", try header.withMetadata("glyphsim.model", json(huge)), "parameters"))
        cases.append(("dtype.safetensors", try header.withEntry(weight, key: "dtype", value: "I32"), "I32"))
        cases.append(("offsets.safetensors", try header.withEntry(weight, key: "data_offsets", value: [0, 1 << 40]), weight))
        cases.append(("truncated.safetensors", good.prefix(good.count - 100), "truncated"))
        // A header length of 87 MB declared in an 8-byte file, and a real 5 MB header.
        var claim = Data(count: 8)
        claim.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(87 << 20).littleEndian, as: UInt64.self) }
        cases.append(("claim.safetensors", claim + Data("{}".utf8), "header length"))
        var big = Data(count: 8)
        big.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(5 << 20).littleEndian, as: UInt64.self) }
        cases.append(("bigheader.safetensors", big + Data("{".utf8) + Data(repeating: 0x20, count: (5 << 20) - 2) + Data("}".utf8),
                      "header length"))

        for c in cases {
            let file = folder.appendingPathComponent(c.name)
            try c.bytes.write(to: file)
            let result = try Hostile.run(["compare", file.path, image.path, image.path], in: folder)
            Hostile.expectRefusal(result, naming: [c.name, c.needle], case: c.name)
        }
        try Hostile.expectNoLeftovers(in: folder)
    }

    // MARK: npz / zip / one-shot runs

    @Test func craftedArchivesAreRefusedBeforeTheyAllocate() throws {
        let folder = try temporaryFolder("hostile-zip")
        defer { try? FileManager.default.removeItem(at: folder) }
        let labels = Data("run01/test/item01.png run01/training/class01.png\n".utf8)
        var cases: [(name: String, zip: Data, needle: String)] = []
        // Labels at the archive's root, or climbing out of it.
        cases.append(("absolute.zip", TinyZip.archive([("/class_labels.txt", labels)]), "absolute"))
        cases.append(("dotdot.zip", TinyZip.archive([("run01/../class_labels.txt", labels)]), ".."))
        cases.append(("nul.zip", TinyZip.archive([("run01/class\u{0}_labels.txt", labels)]), "NUL"))
        // A directory that claims 3 GB for a 3 MB member (within deflate's ratio, beyond the limit).
        var claim = TinyZip.archive([("run01/class_labels.txt", Data(count: 3 << 20))])
        TinyZip.setUncompressedSize(&claim, 3 << 30)
        cases.append(("claim.zip", claim, "limit"))
        // A 50-byte member claiming a ratio deflate cannot give.
        var ratio = TinyZip.archive([("run01/class_labels.txt", Data(count: 50))])
        TinyZip.setUncompressedSize(&ratio, 1 << 30)
        cases.append(("ratio.zip", ratio, "claims"))
        // Many directory entries pointing at one member.
        cases.append(("shared.zip", TinyZip.archive([("run01/class_labels.txt", labels)], directoryCopies: 200), "shares its data"))
        // Labels naming paths outside the runs, and a labels file outside any run folder.
        cases.append(("outside.zip", TinyZip.archive([("run01/class_labels.txt", Data("../../etc/passwd run01/training/class01.png\n".utf8))]),
                      "not a path inside the runs"))
        for c in cases {
            let file = folder.appendingPathComponent(c.name)
            try c.zip.write(to: file)
            let result = try Hostile.run(["oneshot", "--baseline", "mhd", "--runs", file.path], in: folder)
            Hostile.expectRefusal(result, naming: [c.name, c.needle], case: c.name)
        }

        // An npz whose images.npy header claims a million characters in a few bytes.
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        // Valid labels (964 characters x 20 drawings), then images claiming 212 MB in 64 bytes.
        let npyHeader = "{'descr': '|b1', 'fortran_order': False, 'shape': (964, 20, 105, 105), }"
        var npy = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0, UInt8(npyHeader.utf8.count + 1), 0])
        npy += Data((npyHeader + "\n").utf8) + Data(count: 64)
        let labelsHeader = "{'descr': '<i8', 'fortran_order': False, 'shape': (964, 20), }"
        var labelsNPY = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0, UInt8(labelsHeader.utf8.count + 1), 0])
        labelsNPY += Data((labelsHeader + "\n").utf8)
        for i in 0..<(964 * 20) { withUnsafeBytes(of: Int64(i / 20).littleEndian) { labelsNPY.append(contentsOf: $0) } }
        try TinyZip.archive([("images.npy", npy), ("labels.npy", labelsNPY)])
            .write(to: data.appendingPathComponent("images_background.npz"))
        let train = try Hostile.run(["train", "--data", data.path, "--out", folder.appendingPathComponent("run").path], in: folder)
        Hostile.expectRefusal(train, naming: ["images_background.npz", "images.npy"], case: "npz shape")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/last.safetensors").path))
        try Hostile.expectNoLeftovers(in: folder)
    }

    // MARK: config.json / log.jsonl / training state

    @Test(.needsOmniglot) func runFoldersWithBadConfigurationOrStateAreRefusedNamingTheFile() throws {
        let data = try dataFolder()
        let folder = try temporaryFolder("hostile-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run")
        let trained = try Hostile.run(["train", "--data", data, "--out", run.path, "--epochs", "2", "--images-per-epoch", "256",
                                       "--batch-size", "128", "--widths", "8,8,8,8", "--embedding-size", "16"], in: folder)
        #expect(trained.status == 0, "\(trained.stderr)")
        let config = run.appendingPathComponent("config.json"), last = run.appendingPathComponent("last.safetensors")
        let log = run.appendingPathComponent("log.jsonl")
        let originalConfig = try Data(contentsOf: config), originalLast = try Data(contentsOf: last)
        let originalLog = try Data(contentsOf: log)
        func restore() throws {
            try originalConfig.write(to: config)
            try originalLast.write(to: last)
            try originalLog.write(to: log)
        }
        func resume(_ name: String, naming needles: [String]) throws {
            let before = try [config, last, log].map { try Data(contentsOf: $0) }
            let result = try Hostile.run(["train", "--data", data, "--resume", run.path], in: folder)
            Hostile.expectRefusal(result, naming: needles, case: name)
            // The refused resume changed none of the run's files.
            let after = try [config, last, log].map { try Data(contentsOf: $0) }
            #expect(before == after, "\(name): a refused resume changed the run folder")
            try restore()
        }

        // Malformed and out-of-range config.json: refused before anything is loaded.
        try Data("{\"model\": ".utf8).write(to: config)
        try resume("malformed config", naming: ["config.json"])
        var object = try #require(try JSONSerialization.jsonObject(with: originalConfig) as? [String: Any])
        object["epochs"] = -3
        try JSONSerialization.data(withJSONObject: object).write(to: config)
        try resume("negative epochs", naming: ["config.json", "epochs"])
        // An edited config.json (another learning rate): the checkpoint says otherwise.
        object = try #require(try JSONSerialization.jsonObject(with: originalConfig) as? [String: Any])
        object["learning_rate"] = 0.5
        try JSONSerialization.data(withJSONObject: object).write(to: config)
        try resume("edited config", naming: ["last.safetensors", "learning_rate"])
        // Training state with a negative step, and one beyond the run.
        var file = try SafetensorsFile(originalLast)
        var state = try file.metadataJSON("glyphsim.training")
        state["step"] = -4
        try file.withMetadata("glyphsim.training", json(state)).write(to: last)
        try resume("negative step", naming: ["last.safetensors", "step"])
        state["step"] = 0
        state["epoch"] = 9
        file = try SafetensorsFile(originalLast)
        try file.withMetadata("glyphsim.training", json(state)).write(to: last)
        try resume("epoch beyond the run", naming: ["last.safetensors", "epoch"])
        // A foreign last.safetensors: a model checkpoint with no run configuration.
        try Data(contentsOf: try Hostile.tinyCheckpoint(in: folder)).write(to: last)
        try resume("foreign checkpoint", naming: ["last.safetensors"])
        // A malformed log.jsonl row the checkpoint covers.
        try Data("{\"kind\": 3}\n".utf8).write(to: log)
        try resume("malformed log", naming: ["log.jsonl", "line 1"])
        // evaluate refuses a checkpoint with neither config.json nor a stored configuration.
        let lone = folder.appendingPathComponent("lone")
        try FileManager.default.createDirectory(at: lone, withIntermediateDirectories: true)
        try Hostile.tinyCheckpoint(in: lone)
        let evaluate = try Hostile.run(["evaluate", lone.path, "--data", data], in: folder)
        Hostile.expectRefusal(evaluate, naming: ["best.safetensors", "config"], case: "evaluate without config")

        // After all of that the untouched run still resumes (and is already finished).
        let again = try Hostile.run(["train", "--data", data, "--resume", run.path], in: folder)
        #expect(again.status == 0, "\(again.stderr)")

        // A run killed during its first checkpoint write (a second Ctrl-C before the fix) holds
        // config.json, a temporary file and no checkpoint: it resumes from the beginning, and the
        // stale temporary file is removed.
        try FileManager.default.removeItem(at: last)
        let stale = run.appendingPathComponent(AtomicFileWriter.temporaryPrefix + "999999999-1f")
        try originalLast.prefix(1000).write(to: stale)
        let restarted = try Hostile.run(["train", "--data", data, "--resume", run.path], in: folder)
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(restarted.stdout.contains("starting the run from the beginning"))
        #expect(FileManager.default.fileExists(atPath: last.path))
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        try Hostile.expectNoLeftovers(in: folder)
    }

    // MARK: training faults and options

    @Test func badTrainingOptionsAreRefusedNamingTheOption() throws {
        let folder = try temporaryFolder("hostile-options")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("run").path
        let cases: [([String], String)] = [
            (["--images-per-character", "0"], "--images-per-character"),
            (["--margin", "nan"], "--margin"),
            (["--margin", "inf"], "--margin"),
            (["--lr", "inf"], "--lr"),
            (["--lr=-1"], "--lr"),
            (["--weight-decay=-1"], "--weight-decay"),
            (["--weight-decay", "nan"], "--weight-decay"),
            (["--momentum", "1.5"], "--momentum"),
            (["--epochs", "0"], "--epochs"),
            (["--epochs", "99999999999"], "--epochs"),
            (["--batch-size", "0"], "--batch-size"),
            (["--batch-size", "100000000"], "--batch-size"),
            (["--images-per-epoch", "0"], "--images-per-epoch"),
            (["--images-per-epoch", "1000000000000"], "--images-per-epoch"),
            (["--patience=-1"], "--patience"),
            (["--threads", "10000"], "--threads"),
            (["--threads", "0"], "--threads"),
            (["--image-size", "100000"], "imageSize"),
            (["--widths", "64,64,192,999999"], "width"),
            (["--embedding-size", "100000000"], "embeddingSize"),
            (["--pools", "9"], "pools"),
        ]
        for (options, needle) in cases {
            let result = try Hostile.run(["train", "--out", out] + options, in: folder)
            Hostile.expectRefusal(result, naming: [needle], case: options.joined(separator: " "))
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test(.needsOmniglot) func infeasibleSamplingAndDivergenceEndCleanly() throws {
        let data = try dataFolder()
        let folder = try temporaryFolder("hostile-training")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Batches the data cannot give: an error saying what it holds, not a loop that spins.
        let sampling: [([String], String)] = [
            (["--images-per-character", "30"], "--images-per-character"),
            (["--images-per-character", "21", "--batch-size", "42"], "--images-per-character"),
            // Refused by its range before the sampler or the activations see it (it used to abort
            // allocating a 60,000-image step).
            (["--loss", "triplet", "--mining", "random", "--batch-size", "60000"], "--batch-size"),
        ]
        for (options, needle) in sampling {
            let out = folder.appendingPathComponent("sampling").path
            let result = try Hostile.run(["train", "--data", data, "--out", out, "--epochs", "1"] + options, in: folder)
            Hostile.expectRefusal(result, naming: [needle], case: options.joined(separator: " "))
            #expect(!FileManager.default.fileExists(atPath: out + "/last.safetensors"))
        }
        // An absurd learning rate or weight decay blows up: the run stops non-zero, naming the
        // step, and never saves a checkpoint holding NaN.
        for options in [["--lr", "1e30"], ["--weight-decay", "1e30", "--lr", "0.5"]] {
            let out = folder.appendingPathComponent("diverged-\(options[1])")
            let result = try Hostile.run(["train", "--data", data, "--out", out.path, "--epochs", "2", "--images-per-epoch", "512",
                                          "--batch-size", "128", "--widths", "8,8,8,8", "--embedding-size", "16"] + options, in: folder)
            Hostile.expectRefusal(result, naming: ["diverged", "step"], case: options.joined(separator: " "))
            for name in ["best.safetensors", "last.safetensors"] {
                let file = out.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: file.path) else { continue }
                let checkpoint = try Checkpoint.read(from: file)
                #expect(FiniteCheck.firstNonFinite(checkpoint.tensors) == nil, "\(name) holds non-finite values")
            }
        }
        try Hostile.expectNoLeftovers(in: folder)
    }

    // MARK: outputs

    @Test func outputsAreAllOrNothingAndNamesSurvive() throws {
        let folder = try temporaryFolder("hostile-outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Hostile.tinyCheckpoint(in: folder)
        let image = try Hostile.writeImage(in: folder)
        let images = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let odd = images.appendingPathComponent("two\nlines, \"quoted\".png")
        try FileManager.default.copyItem(at: image, to: odd)

        // A name with a line break cannot go to names.txt: neither file is written.
        let npy = folder.appendingPathComponent("e.npy")
        let refused = try Hostile.run(["embed", run.path, images.path, "--out", npy.path], in: folder)
        Hostile.expectRefusal(refused, naming: ["line break"], case: "newline name to .npy")
        #expect(!FileManager.default.fileExists(atPath: npy.path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("e.names.txt").path))

        // CSV quotes it by RFC 4180: one header and one record, the name intact.
        let csv = folder.appendingPathComponent("e.csv")
        let written = try Hostile.run(["embed", run.path, images.path, "--out", csv.path], in: folder)
        #expect(written.status == 0, "\(written.stderr)")
        let text = try String(contentsOf: csv, encoding: .utf8)
        #expect(text.contains("\"" + odd.path.replacingOccurrences(of: "\"", with: "\"\"") + "\","))
        #expect(CSVRecords.parse(text).count == 2)
        #expect(CSVRecords.parse(text).last?.first == odd.path)

        // The names file cannot be written (a folder holds its name): the .npy is not left alone.
        try FileManager.default.removeItem(at: odd)
        let blocked = folder.appendingPathComponent("b.npy")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("b.names.txt/inside"), withIntermediateDirectories: true)
        let half = try Hostile.run(["embed", run.path, image.path, "--out", blocked.path], in: folder)
        Hostile.expectRefusal(half, naming: ["b.names.txt"], case: "names file blocked")
        #expect(!FileManager.default.fileExists(atPath: blocked.path))

        // A folder that does not exist, and a name longer than the file system allows.
        let missing = try Hostile.run(["embed", run.path, image.path, "--out", folder.path + "/no/such/e.csv"], in: folder)
        Hostile.expectRefusal(missing, naming: ["e.csv"], case: "missing folder")
        let tooLong = folder.appendingPathComponent(String(repeating: "x", count: 252) + ".csv")
        let long = try Hostile.run(["embed", run.path, image.path, "--out", tooLong.path], in: folder)
        Hostile.expectRefusal(long, naming: ["xxxx.csv"], case: "256-character name")
        // A valid 240-character name fits: the temporary name does not lengthen it.
        let fits = folder.appendingPathComponent(String(repeating: "y", count: 236) + ".csv")
        let ok = try Hostile.run(["embed", run.path, image.path, "--out", fits.path], in: folder)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(FileManager.default.fileExists(atPath: fits.path))

        // A stale temporary file of a process that no longer runs is cleaned by the next write.
        let stale = folder.appendingPathComponent(AtomicFileWriter.temporaryPrefix + "999999999-abc")
        try Data("partial".utf8).write(to: stale)
        let cleaned = try Hostile.run(["embed", run.path, image.path, "--out", csv.path], in: folder)
        #expect(cleaned.status == 0, "\(cleaned.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        try Hostile.expectNoLeftovers(in: folder)
    }

    // MARK: CLI arguments and images

    @Test func badArgumentsAreRefusedNamingTheOption() throws {
        let folder = try temporaryFolder("hostile-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Hostile.tinyCheckpoint(in: folder)
        let image = try Hostile.writeImage(in: folder)
        let dash = folder.appendingPathComponent("-dash.png")
        try FileManager.default.copyItem(at: image, to: dash)
        let cases: [([String], String)] = [
            (["compare", run.path, "-dash.png", image.path], "-dash.png"),
            (["bench", "--images=-5"], "--images"),
            (["bench", "--images", "100000000"], "--images"),
            (["bench", "--seconds", "nan", "--mode", "infer"], "--seconds"),
            (["bench", "--seconds", "0", "--mode", "infer"], "--seconds"),
            (["bench", "--threads", "10000", "--mode", "infer"], "--threads"),
            (["search", run.path, image.path, "--in", folder.path, "--top", "0"], "--top"),
            (["search", run.path, image.path, "--in", folder.path, "--top=-3"], "--top"),
            (["evaluate", run.path, "--trials", "0"], "--trials"),
            (["evaluate", run.path, "--trials=-1"], "--trials"),
        ]
        for (arguments, needle) in cases {
            let result = try Hostile.run(arguments, in: folder)
            Hostile.expectRefusal(result, naming: [needle], case: arguments.joined(separator: " "))
        }
        // The two documented ways to name such a file work.
        let dotted = try Hostile.run(["compare", run.path, "./-dash.png", image.path], in: folder)
        #expect(dotted.status == 0, "\(dotted.stderr)")
        let separated = try Hostile.run(["compare", run.path, "--", "-dash.png", image.path], in: folder)
        #expect(separated.status == 0, "\(separated.stderr)")
    }

    @Test func craftedImagesAreRefusedNamingTheFile() throws {
        let folder = try temporaryFolder("hostile-png")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Hostile.tinyCheckpoint(in: folder)
        let image = try Hostile.writeImage(in: folder)
        let good = try Data(contentsOf: image)
        let truncated = folder.appendingPathComponent("truncated.png")
        try good.prefix(60).write(to: truncated)
        let empty = folder.appendingPathComponent("empty.png")
        try Data().write(to: empty)
        for file in [truncated, empty] {
            let result = try Hostile.run(["compare", run.path, file.path, image.path], in: folder)
            Hostile.expectRefusal(result, naming: [file.lastPathComponent], case: file.lastPathComponent)
        }
        // 1,000,000 x 1 pixels in about a kilobyte: refused before padding allocates terabytes.
        let bomb = folder.appendingPathComponent("bomb.png")
        try PNGEncoder.encode([UInt8](repeating: 255, count: 1_000_000), width: 1_000_000, height: 1).write(to: bomb)
        let result = try Hostile.run(["compare", run.path, bomb.path, image.path], in: folder)
        Hostile.expectRefusal(result, naming: ["bomb.png"], case: "size bomb")
    }
}

// MARK: - Running the binary under limits

enum Hostile {
    /// Virtual memory cap for every case, in KiB (4 GB).
    static let memoryCapKiB = 4 << 20
    /// Seconds before a case counts as a hang.
    static let timeLimit = 60

    /// Runs glyphsim with `arguments` under `ulimit -v` and `timeout`, in `folder`.
    static func run(_ arguments: [String], in folder: URL) throws -> CLIResult {
        let script = "ulimit -v \(memoryCapKiB) && cd \"$1\" && shift && exec timeout \(timeLimit) \"$@\""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, "sh", folder.path, CLI.executable.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GLYPHSIM_THREADS"] = environment["GLYPHSIM_THREADS"] ?? "2"
        process.environment = environment
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("glyphsim-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: capture) }
        let out = capture.appendingPathComponent("out"), err = capture.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// A clean refusal: non-zero exit below 124 (124 is timeout's, 128 + n a signal's), no
    /// crash report, and one `Error:` line that names every needle.
    static func expectRefusal(_ result: CLIResult, naming needles: [String], case name: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status != 0 && result.status < 124,
                "\(name): exit \(result.status) (124: timeout, 128+n: signal n)\n\(result.stderr.suffix(600))", sourceLocation: sourceLocation)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errors.count == 1, "\(name): \(errors.count) error lines\n\(result.stderr.suffix(600))", sourceLocation: sourceLocation)
        for needle in needles {
            #expect(errors.first?.contains(needle) == true, "\(name): the error does not name '\(needle)': \(errors.first ?? "none")",
                    sourceLocation: sourceLocation)
        }
        #expect(!result.stderr.contains("Fatal error"), "\(name): crashed", sourceLocation: sourceLocation)
    }

    /// No temporary file of ours anywhere below `folder`.
    static func expectNoLeftovers(in folder: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let all = FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []
        let temporaries = all.filter { ($0 as NSString).lastPathComponent.hasPrefix(AtomicFileWriter.temporaryPrefix) }
        #expect(temporaries.isEmpty, "temporary files left: \(temporaries)", sourceLocation: sourceLocation)
    }

    /// A small fast-preset model (16x16, 4 channels per block) with a threshold, as `best.safetensors`.
    @discardableResult
    static func tinyCheckpoint(in folder: URL) throws -> URL {
        let model = try SiameseModel(config: ModelConfig(preset: .fast, imageSize: 16, embeddingSize: 8, widths: [4, 4, 4, 4]), seed: 1)
        model.threshold = 0.5
        let url = folder.appendingPathComponent(RunFolder.bestCheckpoint)
        try model.save(to: url)
        return url
    }

    static func writeImage(in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("glyph.png")
        try PNGEncoder.encodeGlyph(drawGlyph(side: 40, cross: true), side: 40).write(to: url)
        return url
    }
}

/// A safetensors file's header, to craft variants of a real checkpoint.
struct SafetensorsFile {
    var header: [String: Any]
    var payload: Data

    init(_ bytes: Data) throws {
        let length = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        header = try #require(try JSONSerialization.jsonObject(with: bytes.subdata(in: 8 ..< 8 + length)) as? [String: Any])
        payload = bytes.subdata(in: 8 + length ..< bytes.count)
    }

    var tensorNames: [String] { header.keys.filter { $0 != "__metadata__" }.sorted() }

    func encoded() throws -> Data {
        var text = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        text += Data(repeating: 0x20, count: (8 - text.count % 8) % 8)
        var length = UInt64(text.count).littleEndian
        return Data(bytes: &length, count: 8) + text + payload
    }

    func withFirstValue(of tensor: String, _ value: Float) -> Data {
        var copy = self
        let offsets = (header[tensor] as! [String: Any])["data_offsets"] as! [Int]
        withUnsafeBytes(of: value.bitPattern.littleEndian) { copy.payload.replaceSubrange(offsets[0] ..< offsets[0] + 4, with: $0) }
        return (try? copy.encoded()) ?? Data()
    }

    func withMetadata(_ key: String, _ value: String) throws -> Data {
        var copy = self
        var metadata = header["__metadata__"] as? [String: String] ?? [:]
        metadata[key] = value
        copy.header["__metadata__"] = metadata
        return try copy.encoded()
    }

    func withEntry(_ tensor: String, key: String, value: Any) throws -> Data {
        var copy = self
        var entry = header[tensor] as! [String: Any]
        entry[key] = value
        copy.header[tensor] = entry
        return try copy.encoded()
    }

    func metadataJSON(_ key: String) throws -> [String: Any] {
        let text = try #require((header["__metadata__"] as? [String: String])?[key])
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

func json(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

/// Stored (uncompressed) zip archives written by hand, so that their directories can lie.
enum TinyZip {
    /// The members in order, each with a local header; `directoryCopies` extra central
    /// directory entries for the first member, all pointing at its one local header.
    static func archive(_ members: [(String, Data)], directoryCopies: Int = 0) -> Data {
        var out = Data(), directory = Data(), count = 0
        func le16(_ v: Int) -> Data { withUnsafeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian) { Data($0) } }
        func le32(_ v: Int) -> Data { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { Data($0) } }
        for (index, (name, data)) in members.enumerated() {
            let offset = out.count, crc = Int(crc32(data)), nameBytes = Data(name.utf8)
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0)
            out += le32(crc) + le32(data.count) + le32(data.count) + le16(nameBytes.count) + le16(0) + nameBytes + data
            for copy in 0...(index == 0 ? directoryCopies : 0) {
                let listed = copy == 0 ? nameBytes : Data((name + ".\(copy)").utf8)
                directory += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0)
                directory += le32(crc) + le32(data.count) + le32(data.count) + le16(listed.count) + le16(0) + le16(0)
                directory += le16(0) + le16(0) + le32(0) + le32(offset) + listed
                count += 1
            }
        }
        let directoryOffset = out.count
        out += directory
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(count) + le16(count) + le32(directory.count) + le32(directoryOffset) + le16(0)
        return out
    }

    /// Patches the first central-directory entry's uncompressed size.
    static func setUncompressedSize(_ zip: inout Data, _ size: Int) {
        let directory = zip.range(of: Data([0x50, 0x4B, 0x01, 0x02]))!.lowerBound
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: size).littleEndian) { zip.replaceSubrange(directory + 24 ..< directory + 28, with: $0) }
    }

    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// Reads RFC 4180 CSV back: quoted fields may hold commas, doubled quotes and line breaks.
enum CSVRecords {
    static func parse(_ text: String) -> [[String]] {
        var records = [[String]](), record = [String](), field = "", quoted = false
        var chars = Array(text), i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { record.append(field); field = ""
            } else if c == "\n" { record.append(field); records.append(record); record = []; field = ""
            } else { field.append(c) }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        chars = []
        return records
    }
}
