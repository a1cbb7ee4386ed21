import Foundation
import GlyphIndex
import Testing

/// Runs the built `glyphsim` binary (beside this test bundle) and captures its output.
enum Glyphsim {
    static let executable: URL = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = folder.appendingPathComponent("glyphsim")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("glyphsim")
    }()

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GLYPHSIM_THREADS"] = environment["GLYPHSIM_THREADS"] ?? "2"
        process.environment = environment
        // Output goes to files: a pipe that fills up would block the process.
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("glyphindex-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("glyphindex-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}

/// `glyphsim index build/add/info` and `glyphsim search` end to end, on glyph images drawn here.
@Suite struct IndexCLITests {
    @Test func buildSearchAddAndRefuseBadInput() throws {
        let folder = try temporaryFolder("cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = folder.appendingPathComponent("glyphs"), more = folder.appendingPathComponent("more")
        let files = try GlyphImages.write(in: images, groups: 2, classes: 3, images: 4)
        try GlyphImages.write(in: more, groups: 1, classes: 2, images: 2, firstShape: 2)
        let (run, model) = try makeRun(in: folder, seed: 5)
        let (otherRun, other) = try makeRun(in: folder, seed: 6, name: "other")
        let index = folder.appendingPathComponent("glyphs.index").path

        let build = try Glyphsim.run(["index", "build", run.path, images.path, "--out", index, "--approximate", "--recall-samples", "20"])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout.contains("indexed 24 images, 6 labels, 2 groups"))
        #expect(build.stdout.contains("recall@10"))
        #expect(FileManager.default.fileExists(atPath: index + ".hnsw"))

        // Text: the query is in the index, so it is left out and said so.
        let text = try Glyphsim.run(["search", run.path, files[0].path, "--index", index, "--top", "3"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("left out"))
        let rows = text.stdout.split(separator: "\n").filter { $0.hasPrefix("   ") }
        #expect(rows.count == 3)
        #expect(!rows.contains { $0.hasSuffix(files[0].path) })
        #expect(rows.allSatisfy { $0.contains("same") || $0.contains("different") })

        // JSON, two queries, exact and approximate.
        for extra in [[], ["--approximate"]] {
            let json = try Glyphsim.run(["search", run.path, files[0].path, files[7].path, "--index", index, "--top", "4", "--json"] + extra)
            #expect(json.status == 0, "\(json.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let queries = try #require(object["queries"] as? [[String: Any]])
            #expect(queries.count == 2)
            let results = try #require(queries[0]["results"] as? [[String: Any]])
            #expect(results.count == 4)
            for (i, r) in results.enumerated() {
                #expect(r["rank"] as? Int == i + 1)
                #expect(r["file"] is String)
                #expect(r["label"] is String)
                let distance = try #require(r["distance"] as? Double)
                #expect(r["is_same"] as? Bool == (distance <= 0.5))
            }
            #expect(!results.contains { ($0["file"] as? String) == files[0].path })
            #expect((queries[0]["skipped_self"] as? [Int])?.count == 1)
            #expect(object["threshold"] as? Double == 0.5)
        }

        // add: new files appended, old ones skipped; the approximate graph is rebuilt.
        let add = try Glyphsim.run(["index", "add", run.path, more.path, images.path, "--to", index])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.contains("added 4 images"))
        #expect(add.stdout.contains("24 already in it"))
        #expect(add.stdout.contains("recall@10"))
        let info = try Glyphsim.run(["index", "info", index])
        #expect(info.stdout.contains("28 images"))
        #expect(info.stdout.contains(model.fingerprint))
        let afterAdd = try Glyphsim.run(["search", run.path, files[0].path, "--index", index, "--approximate", "--json"])
        #expect(afterAdd.status == 0, "\(afterAdd.stderr)")

        // --in without an index, same output.
        let quick = try Glyphsim.run(["search", run.path, files[0].path, "--in", images.path, "--top", "2", "--json"])
        #expect(quick.status == 0, "\(quick.stderr)")
        #expect(quick.stdout.contains("\"is_same\""))

        // Another model's index.
        let foreign = try Glyphsim.run(["search", otherRun.path, files[0].path, "--index", index])
        #expect(foreign.status != 0)
        #expect(foreign.stderr.contains("was built by model \(model.fingerprint), this is \(other.fingerprint)"))

        // A truncated index.
        let truncated = folder.appendingPathComponent("cut.index")
        try Data(try Data(contentsOf: URL(fileURLWithPath: index)).prefix(300)).write(to: truncated)
        let cut = try Glyphsim.run(["search", run.path, files[0].path, "--index", truncated.path])
        #expect(cut.status != 0)
        #expect(cut.stderr.contains(truncated.path) && cut.stderr.contains("truncated"))

        // A query that is not an image.
        let notImage = folder.appendingPathComponent("notes.png")
        try Data("not a png".utf8).write(to: notImage)
        let bad = try Glyphsim.run(["search", run.path, notImage.path, "--index", index])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains(notImage.path))

        // Bad arguments.
        let zero = try Glyphsim.run(["search", run.path, files[0].path, "--index", index, "--top", "0"])
        #expect(zero.status != 0)
        let both = try Glyphsim.run(["search", run.path, files[0].path])
        #expect(both.status != 0)
        #expect(both.stderr.contains("--index"))
    }
}
