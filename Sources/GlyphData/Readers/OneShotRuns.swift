import Foundation

/// One of the official 20-way one-shot classification runs: 20 training images (one per class)
/// and 20 test images, each to be matched to the training image of its class.
public struct OneShotRun: Sendable {
    /// `run01` ... `run20`.
    public var name: String
    /// Images as 105x105 floats, ink = 1, in file-name order (class01 ...).
    public var training: [(file: String, image: [Float])]
    /// In file-name order (item01 ...).
    public var test: [(file: String, image: [Float])]
    /// Index into `training` of the class of each test item.
    public var answers: [Int]
}

/// Reads runs laid out as in the official `all_runs.zip`: `runNN/class_labels.txt` with lines
/// `runNN/test/itemKK.png runNN/training/classJJ.png`, and the PNGs they name.
public enum OneShotRuns {
    /// All runs in a zip or folder, in run order.
    public static func load(from url: URL) throws -> [OneShotRun] {
        var files = [String: Data]()  // path relative to the layout root -> bytes
        try ImageFiles.forEachFile(in: url, where: { path in
            ImageFiles.isPNG(path) || path.hasSuffix("class_labels.txt")
        }) { path, data in
            files[relative(path, to: url)] = data
        }
        // The root may sit below a top folder: locate each run by its class_labels.txt.
        let labelFiles = files.keys.filter { $0.hasSuffix("/class_labels.txt") }.sorted()
        guard !labelFiles.isEmpty else {
            throw DataError.badLayout(path: url.path, reason: "holds no runNN/class_labels.txt")
        }
        return try labelFiles.map { try run(labelsPath: $0, files: files, source: url.path) }
    }

    /// A path relative to the folder or zip root (zip members come as `archive:member`).
    static func relative(_ path: String, to url: URL) -> String {
        if path.hasPrefix(url.path + ":") { return String(path.dropFirst(url.path.count + 1)) }
        if path.hasPrefix(url.path + "/") { return String(path.dropFirst(url.path.count + 1)) }
        return path
    }

    static func run(labelsPath: String, files: [String: Data], source: String) throws -> OneShotRun {
        let where_ = "\(source):\(labelsPath)"
        // The labels must sit in a run folder: <root>/runNN/class_labels.txt.
        let parts = labelsPath.split(separator: "/")
        guard parts.count >= 2 else {
            throw DataError.badLayout(path: where_, reason: "is not inside a runNN folder")
        }
        let runName = String(parts[parts.count - 2])
        // Paths in class_labels.txt start at the run folder's parent.
        let prefix = parts.dropLast(2).map { $0 + "/" }.joined()
        guard let text = files[labelsPath].flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw DataError.badLayout(path: where_, reason: "not readable as text")
        }
        var pairs = [(test: String, training: String)]()
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.isEmpty { continue }
            guard fields.count == 2 else {
                throw DataError.badLayout(path: where_, reason: "line '\(line)' is not '<test image> <training image>'")
            }
            for field in fields where field.hasPrefix("/") || field.split(separator: "/").contains("..") {
                throw DataError.badLayout(path: where_, reason: "names '\(field)', which is not a path inside the runs")
            }
            pairs.append((prefix + fields[0], prefix + fields[1]))
        }
        guard !pairs.isEmpty else { throw DataError.badLayout(path: where_, reason: "lists no images") }

        func image(_ path: String) throws -> [Float] {
            guard let data = files[path] else {
                throw DataError.badLayout(path: where_, reason: "names \(path), which is missing")
            }
            return try readOmniglotImage(data, file: "\(source):\(path)")
        }
        let trainingPaths = files.keys.filter { $0.hasPrefix(prefix + runName + "/training/") && ImageFiles.isPNG($0) }.sorted()
        let testPaths = pairs.map(\.test).sorted()
        var answers = [Int]()
        for path in testPaths {
            let trainingPath = pairs.first { $0.test == path }!.training
            guard let index = trainingPaths.firstIndex(of: trainingPath) else {
                throw DataError.badLayout(path: where_, reason: "names \(trainingPath), which is missing")
            }
            answers.append(index)
        }
        let training = try trainingPaths.map { (file: $0, image: try image($0)) }
        let test = try testPaths.map { (file: $0, image: try image($0)) }
        return OneShotRun(name: runName, training: training, test: test, answers: answers)
    }

    /// A 105x105 Omniglot PNG as floats with ink = 1.
    static func readOmniglotImage(_ data: Data, file: String) throws -> [Float] {
        let (w, h, gray) = try PNGDecoder.decodeGray(data, file: file)
        guard w == Omniglot.side, h == Omniglot.side else {
            throw DataError.wrongImageSize(file: file, expected: "105x105", found: "\(w)x\(h)")
        }
        return gray.map { 1 - $0 }
    }
}
