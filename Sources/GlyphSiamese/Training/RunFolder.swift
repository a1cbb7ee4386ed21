import Foundation
import GlyphEngine

/// The files of one training run, all in one folder:
///
/// - `config.json`: the full `TrainingConfig`
/// - `last.safetensors`: the latest checkpoint, with optimizer state, for `--resume`
/// - `best.safetensors`: the checkpoint with the best validation one-shot accuracy
/// - `log.jsonl`: one JSON object per logged step (epoch, step, wall time, loss, learning
///   rate) and per epoch (the validation metrics)
/// - `loss.svg`: the loss against wall time (the course report's Figure 4)
public struct RunFolder: Sendable {
    public static let configFile = "config.json"
    public static let lastCheckpoint = "last.safetensors"
    public static let bestCheckpoint = "best.safetensors"
    public static let logFile = "log.jsonl"
    public static let lossPlot = "loss.svg"

    public let url: URL

    public init(_ url: URL) { self.url = url }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    public func create() throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw SiameseError.runFolder(path: url.path, reason: "cannot create the run folder: \(error.localizedDescription)")
        }
    }

    /// Writes `data` to `name` atomically: a temporary file beside it, then a rename, so a
    /// crash never leaves a half-written file under the real name.
    public func writeAtomically(_ data: Data, to name: String) throws {
        try RunFolder.writeAtomically(data, to: file(name))
    }

    public static func writeAtomically(_ data: Data, to target: URL) throws {
        try AtomicFileWriter.write(data, to: target)
    }

    public func readConfig() throws -> TrainingConfig {
        let path = file(Self.configFile)
        guard let data = FileManager.default.contents(atPath: path.path) else {
            throw SiameseError.runFolder(path: url.path, reason: "no \(Self.configFile): not a GlyphSim run folder")
        }
        do {
            let config = try TrainingConfig.decode(data)
            try config.validate()
            return config
        } catch let error as SiameseError {
            throw SiameseError.runFolder(path: path.path, reason: "\(error)")
        } catch {
            throw SiameseError.runFolder(path: path.path, reason: "unreadable configuration: \(DecodingErrorText.describe(error))")
        }
    }

    public func writeConfig(_ config: TrainingConfig) throws {
        try writeAtomically(try config.fileJSON(), to: Self.configFile)
    }
}
