import Foundation
import Testing
@testable import GlyphData

@Suite("Omniglot readers")
struct OmniglotReaderTests {
    @Test(.needsOmniglot) func npzGivesBothSetsWithOfficialAlphabets() throws {
        let (bg, ev) = try TestData.npz()
        #expect(bg.characters.count == 964)
        #expect(ev.characters.count == 659)
        #expect(bg.imageCount == 964 * 20 && ev.imageCount == 659 * 20)
        #expect(bg.side == 105 && ev.side == 105)
        #expect(bg.imagesOfCharacter.allSatisfy { $0.count == 20 })
        #expect(bg.alphabets.count == 30)
        #expect(ev.alphabets.count == 20)
        #expect(bg.alphabets.first == "Arcadian" && bg.alphabets.contains("Japanese_(hiragana)") && bg.alphabets.contains("Latin"))
        #expect(ev.alphabets.first == "Angelic" && ev.alphabets.last == "ULOG")
        #expect(bg.characters.first?.id == 1 && bg.characters.last?.id == 964)
        #expect(ev.characters.first?.id == 965 && ev.characters.last?.id == 1623)
        #expect(bg.characters.allSatisfy { $0.set == .background } && ev.characters.allSatisfy { $0.set == .evaluation })
        #expect(bg.characters[682].name == "Latin/character01")  // id 683
        // About 92% of the pixels are paper, and ink is 255 exactly where it is not.
        let inkCount = bg.ink.reduce(0) { $0 + ($1 == 255 ? 1 : 0) }
        let paperCount = bg.ink.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        #expect(inkCount + paperCount == bg.ink.count)
        let paperShare = Double(paperCount) / Double(bg.ink.count)
        #expect(paperShare > 0.88 && paperShare < 0.96)
    }

    @Test(.needsOmniglot) func alphabetTableMatchesTheDataFolder() throws {
        let text = try String(contentsOf: try TestData.file("alphabets.tsv"), encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.count == Alphabets.table.count)
        for (row, entry) in zip(rows, Alphabets.table) {
            #expect(row[0] == entry.set.rawValue && Int(row[1]) == entry.ids.lowerBound
                    && Int(row[2]) == entry.ids.upperBound && row[3] == entry.name)
        }
        #expect(Alphabets.alphabet(ofCharacterId: 1).name == "Arcadian")
        #expect(Alphabets.alphabet(ofCharacterId: 964) == ("Tifinagh", .background))
        #expect(Alphabets.alphabet(ofCharacterId: 965) == ("Angelic", .evaluation))
        #expect(Alphabets.alphabet(ofCharacterId: 1623).name == "ULOG")
        #expect(Alphabets.alphabet(ofCharacterId: 1624).set == .user)
    }

    @Test(.needsOmniglot, arguments: ["images_background_small1.zip", "images_background_small2.zip"])
    func officialPNGsMatchTheNPZPixelForPixel(zipName: String) throws {
        let (bg, _) = try TestData.npz()
        let small = try Omniglot.loadOfficial(try TestData.file(zipName))
        #expect(small.imageCount == (zipName.hasSuffix("1.zip") ? 2720 : 3120))
        #expect(small.alphabets.count == 5)
        let n = 105 * 105
        var mismatches = 0
        for i in 0..<small.imageCount {
            let info = small.characters[small.labels[i]]
            #expect(info.alphabet == Alphabets.alphabet(ofCharacterId: info.id).name)
            let j = (info.id - 1) * 20 + small.drawings[i]
            #expect(bg.characters[bg.labels[j]].id == info.id && bg.drawings[j] == small.drawings[i])
            if small.ink[(i * n)..<((i + 1) * n)] != bg.ink[(j * n)..<((j + 1) * n)] { mismatches += 1 }
        }
        #expect(mismatches == 0, "\(mismatches) PNGs of \(zipName) differ from the npz")
    }

    @Test(.needsOmniglot) func officialFolderReadsLikeTheZip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Extract a few characters of small1 into the official folder layout.
        let zip = try ZipSource(url: try TestData.file("images_background_small1.zip"))
        let entries = zip.fileEntries.filter { $0.path.contains("/Balinese/character0") }
        #expect(!entries.isEmpty)
        for e in entries {
            let target = folder.appendingPathComponent(e.path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try zip.read(e).write(to: target)
        }
        let fromFolder = try Omniglot.loadOfficial(folder)
        #expect(fromFolder.imageCount == entries.count)
        #expect(fromFolder.characters.first?.name == "Balinese/character01")
        #expect(fromFolder.characters.first?.id == 108)
        let (bg, _) = try TestData.npz()
        let n = 105 * 105, j = 107 * 20
        #expect(Array(fromFolder.ink[0..<n]) == Array(bg.ink[(j * n)..<((j + 1) * n)]))
    }

    @Test(.needsOmniglot) func loadPrefersNPZAndSaysHowToFetchWhenNothingIsThere() throws {
        let bg = try Omniglot.load(.background, from: try TestData.folder)
        #expect(bg.characters.count == 964)
        let empty = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect {
            try Omniglot.load(.evaluation, from: empty)
        } throws: { error in
            let text = "\(error)"
            return text.contains("glyphsim fetch") && text.contains("GLYPHSIM_DATA") && text.contains(empty.path)
        }
    }

    @Test(.needsOmniglot) func oneShotRunsSample() throws {
        let runs = try OneShotRuns.load(from: try TestData.file("one_shot_runs_sample.zip"))
        #expect(runs.map(\.name) == ["run01", "run02"])
        for run in runs {
            #expect(run.training.count == 20 && run.test.count == 20 && run.answers.count == 20)
            #expect(Set(run.answers).count == 20)  // each class has one test item
            #expect(run.training.allSatisfy { $0.image.count == 105 * 105 })
            let inkShare = run.test[0].image.reduce(0, +) / Float(105 * 105)
            #expect(inkShare > 0.01 && inkShare < 0.3)  // ink = 1 on paper = 0
        }
        // run01/class_labels.txt: item01 -> class08, item02 -> class09, item03 -> class02
        #expect(runs[0].test[0].file.hasSuffix("run01/test/item01.png"))
        #expect(runs[0].training[runs[0].answers[0]].file.hasSuffix("run01/training/class08.png"))
        #expect(runs[0].training[runs[0].answers[1]].file.hasSuffix("run01/training/class09.png"))
        #expect(runs[0].training[runs[0].answers[2]].file.hasSuffix("run01/training/class02.png"))
    }

    @Test(.needsOmniglot) func oneShotRunsFromAFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let zip = try ZipSource(url: try TestData.file("one_shot_runs_sample.zip"))
        for e in zip.fileEntries where e.path.hasPrefix("run02/") {
            let target = folder.appendingPathComponent(e.path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try zip.read(e).write(to: target)
        }
        let fromFolder = try OneShotRuns.load(from: folder)
        let fromZip = try OneShotRuns.load(from: try TestData.file("one_shot_runs_sample.zip"))
        #expect(fromFolder.count == 1)
        #expect(fromFolder[0].answers == fromZip[1].answers)
        #expect(fromFolder[0].test.map(\.image) == fromZip[1].test.map(\.image))
    }
}

#if DEBUG
private let isReleaseBuild = false
#else
private let isReleaseBuild = true
#endif

@Suite("loading speed")
struct LoadingSpeedTests {
    /// Loading both npz sets: the issue asks for under 2 s in release. The machine is shared and
    /// noisy, so the test asserts only a generous bound and prints the figure.
    @Test(.needsOmniglot, .enabled(if: isReleaseBuild, "timed in release builds only"))
    func wholeNPZLoadsQuickly() throws {
        let folder = try TestData.folder
        let start = Date()
        let bg = try Omniglot.load(.background, from: folder)
        let ev = try Omniglot.load(.evaluation, from: folder)
        let seconds = Date().timeIntervalSince(start)
        print("loading both npz sets (\(bg.imageCount + ev.imageCount) images): \(String(format: "%.3f", seconds)) s")
        #expect(bg.imageCount + ev.imageCount == 1623 * 20)
        #expect(seconds < 10)
        let resizeStart = Date()
        let small = bg.resized(to: 28)
        print("resizing the background set to 28x28: \(String(format: "%.3f", Date().timeIntervalSince(resizeStart))) s")
        #expect(small.side == 28)
    }
}
