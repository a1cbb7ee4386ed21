import Foundation
import GlyphEngine

/// Decides whether a checkpoint may continue the run being asked for. The checkpoint itself
/// records the run's configuration (`glyphsim.config`), the data it trained on
/// (`glyphsim.data`, a `DataFingerprint`) and where it stood (`glyphsim.training`); any
/// difference from the requested run is refused with a line saying what differs, so an edited
/// config.json, a foreign last.safetensors or other data never resumes silently.
enum ResumeGuard {
    static let dataKey = "glyphsim.data"
    static let configKey = "glyphsim.config"

    static func check(requested config: TrainingConfig, dataFingerprint: String, checkpoint: Checkpoint, file: String) throws {
        func refuse(_ reason: String) -> SiameseError { .runFolder(path: file, reason: "cannot resume: " + reason) }
        guard let text = checkpoint.metadata[configKey] else {
            throw refuse("the checkpoint records no run configuration (\(configKey)); it is not this run's")
        }
        let stored: TrainingConfig
        do { stored = try TrainingConfig.decode(Data(text.utf8)) } catch {
            throw refuse("the checkpoint's \(configKey) is unreadable: \(DecodingErrorText.describe(error))")
        }
        if stored != config {
            throw refuse("config.json differs from the configuration the checkpoint was trained with: "
                + differences(requested: config, stored: stored))
        }
        guard let data = checkpoint.metadata[dataKey] else {
            throw refuse("the checkpoint records no data fingerprint (\(dataKey))")
        }
        if data != dataFingerprint {
            throw refuse("the data differs from the data the checkpoint was trained on (fingerprint \(dataFingerprint), "
                + "checkpoint \(data)): use the same --data folder")
        }
        if let bad = FiniteCheck.firstNonFinite(checkpoint.tensors) {
            throw refuse("tensor \(bad) holds NaN or infinite values")
        }
    }

    /// `field: requested X, checkpoint Y` for each differing field of the two configurations.
    static func differences(requested: TrainingConfig, stored: TrainingConfig) -> String {
        let a = flatten(requested), b = flatten(stored)
        let keys = Set(a.keys).union(b.keys).sorted().filter { a[$0] != b[$0] }
        let parts = keys.prefix(5).map { "\($0): config.json \(a[$0] ?? "absent"), checkpoint \(b[$0] ?? "absent")" }
        return parts.joined(separator: "; ") + (keys.count > 5 ? "; and \(keys.count - 5) more" : "")
    }

    /// The configuration as `path.to.field -> JSON value text`, fields named as config.json names them.
    static func flatten(_ config: TrainingConfig) -> [String: String] {
        guard let data = try? config.fileJSON(), let object = try? JSONSerialization.jsonObject(with: data) else { return [:] }
        var out = [String: String]()
        func walk(_ value: Any, _ path: String) {
            if let dict = value as? [String: Any], !dict.isEmpty {
                for (k, v) in dict { walk(v, path.isEmpty ? k : path + "." + k) }
            } else if let text = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
                out[path] = String(decoding: text, as: UTF8.self)
            }
        }
        walk(object, "")
        return out
    }
}

/// A one-line description of a `DecodingError`: which field, and what is wrong with it.
enum DecodingErrorText {
    static func describe(_ error: Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "top level" : "field \(p)"
        }
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case let .keyNotFound(key, context):
            return "\(path(context)): missing field \(key.stringValue)"
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
