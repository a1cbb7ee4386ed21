import Foundation

/// One row of `log.jsonl`: a logged training step, or (with `kind == "epoch"`) an epoch's summary.
public struct LogRow: Codable, Sendable, Equatable {
    public var kind: String            // "step" or "epoch"
    public var epoch: Int              // 1-based
    public var step: Int               // 1-based step within the epoch; for "epoch" rows, the steps run
    public var wallTime: Double        // seconds of training since the run began (resumes continue the clock)
    public var loss: Double            // mean loss of the steps since the previous row
    public var learningRate: Double
    public var imagesPerSecond: Double?
    public var activeFraction: Double?
    /// Mean distances of same-character and different-character pairs in the logged steps,
    /// and the mean embedding norm: the statistics that show a collapse.
    public var meanPositiveDistance: Double?
    public var meanNegativeDistance: Double?
    public var meanEmbeddingNorm: Double?
    /// For `kind == "warning"` rows (e.g. collapse): the warning's text.
    public var message: String?
    public var validationPairAccuracy: Double?
    public var validationOneShotAccuracy: Double?
    public var threshold: Double?

    enum CodingKeys: String, CodingKey {
        case kind, epoch, step, loss
        case wallTime = "wall_time"
        case learningRate = "learning_rate"
        case imagesPerSecond = "images_per_second"
        case activeFraction = "active_fraction"
        case meanPositiveDistance = "mean_positive_distance"
        case meanNegativeDistance = "mean_negative_distance"
        case meanEmbeddingNorm = "mean_embedding_norm"
        case message
        case validationPairAccuracy = "val_pair_accuracy"
        case validationOneShotAccuracy = "val_oneshot_accuracy"
        case threshold
    }
}

/// The machine-readable training log: JSON lines, appended as training goes.
public struct TrainingLog {
    public let url: URL
    public private(set) var rows: [LogRow] = []

    public init(url: URL) { self.url = url }

    /// Reads an existing log, keeping only its first `keeping` rows (those a checkpoint covers).
    public static func resume(url: URL, keeping: Int) throws -> TrainingLog {
        var log = TrainingLog(url: url)
        if let data = FileManager.default.contents(atPath: url.path) {
            let lines = data.split(separator: UInt8(ascii: "\n"))
            for (number, line) in lines.prefix(keeping).enumerated() {
                do {
                    log.rows.append(try JSONDecoder().decode(LogRow.self, from: Data(line)))
                } catch {
                    throw SiameseError.runFolder(path: url.path, reason: "line \(number + 1) is not a log row: \(DecodingErrorText.describe(error))")
                }
            }
        }
        try log.rewrite()
        return log
    }

    public mutating func append(_ row: LogRow) throws {
        rows.append(row)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(row)
        line.append(UInt8(ascii: "\n"))
        if let handle = try? FileHandle(forWritingTo: url) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try RunFolder.writeAtomically(line, to: url)
        }
    }

    /// Writes all rows again (after a resume dropped the rows no checkpoint covers).
    public func rewrite() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for row in rows {
            data.append(try encoder.encode(row))
            data.append(UInt8(ascii: "\n"))
        }
        try RunFolder.writeAtomically(data, to: url)
    }
}
