import Foundation
import GlyphData
import GlyphEngine
import GlyphRandom

/// A trained (or freshly initialized) Siamese model: one tower, its configuration, and the
/// decision threshold on embedding distances chosen on validation characters.
///
/// ```swift
/// let model = try SiameseModel.load(from: URL(fileURLWithPath: "runs/demo/best.safetensors"))
/// let verdict = try model.compare(imageA, imageB)   // images: side x side floats, ink = 1
/// print(verdict.distance, verdict.isSame)
/// ```
public final class SiameseModel {
    public let config: ModelConfig
    /// The tower as written: its layers, parameters and names (what checkpoints hold).
    public let tower: Sequential
    /// What runs: the tower with its fused steps (`ExecutionPlan`), same parameters and values.
    public let plan: ExecutionPlan
    /// Pairs at most this far apart are called "same"; chosen on validation pairs at training time.
    public var threshold: Float?

    public init(config: ModelConfig, seed: UInt64 = 0) throws {
        self.config = config
        self.tower = try Towers.make(config)
        self.plan = ExecutionPlan(tower, fusing: true)
        var generator = SeededGenerator(seed: seed)
        tower.initializeParameters(using: &generator)
    }

    public var inputShape: [Int] { [1, config.imageSize, config.imageSize] }

    public var embeddingSize: Int {
        (try? tower.outputShape(for: [1] + inputShape).last) ?? 0
    }

    // MARK: Embedding

    /// Embeds `count` images of `side * side` floats each, in batches, without keeping activations.
    public func embed(count: Int, batchSize: Int = 256, fill: (_ index: Int, _ destination: UnsafeMutablePointer<Float>) -> Void) throws -> Embeddings {
        let side = config.imageSize
        let n = side * side
        var values = [Float]()
        var dimension = 0
        var start = 0
        while start < count {
            let end = min(count, start + batchSize)
            var input = Tensor(zeros: [end - start, 1, side, side])
            input.withUnsafeMutableBufferPointer { p in
                for i in start..<end { fill(i, p.baseAddress! + (i - start) * n) }
            }
            let output = try plan.forward(input, training: false)
            dimension = output.shape.last ?? 0
            values.append(contentsOf: output.scalars)
            start = end
        }
        if count == 0 { dimension = embeddingSize }
        return Embeddings(dimension: max(dimension, 1), values: values)
    }

    /// Embeds the given images of a dataset (all of them when `indices` is nil).
    public func embed(_ dataset: GlyphDataset, indices: [Int]? = nil, batchSize: Int = 256) throws -> Embeddings {
        guard dataset.side == config.imageSize else {
            throw SiameseError.invalidConfiguration(
                "images are \(dataset.side)x\(dataset.side) but the model takes \(config.imageSize)x\(config.imageSize)")
        }
        let chosen = indices ?? Array(0..<dataset.imageCount)
        return try embed(count: chosen.count, batchSize: batchSize) { i, destination in
            dataset.copyImage(chosen[i], into: destination)
        }
    }

    /// Embeds images given as arrays of `side * side` floats (ink = 1).
    public func embed(images: [[Float]], batchSize: Int = 256) throws -> Embeddings {
        let n = config.imageSize * config.imageSize
        for (i, image) in images.enumerated() where image.count != n {
            throw SiameseError.invalidConfiguration("image \(i) has \(image.count) pixels, the model takes \(n)")
        }
        return try embed(count: images.count, batchSize: batchSize) { i, destination in
            images[i].withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: n) }
        }
    }

    // MARK: Comparing

    public struct Comparison: Sendable, Codable {
        public var distance: Float
        /// exp(-distance): 1 for identical embeddings, towards 0 as they move apart.
        public var similarity: Float
        /// nil when the model has no threshold (never validated).
        public var isSame: Bool?
        public var threshold: Float?

        enum CodingKeys: String, CodingKey {
            case distance, similarity, threshold
            case isSame = "is_same"
        }
    }

    public func compare(_ a: [Float], _ b: [Float]) throws -> Comparison {
        let e = try embed(images: [a, b])
        let d = e.distance(0, 1)
        return Comparison(distance: d, similarity: Float(exp(-Double(d))),
                          isSame: threshold.map { d <= $0 }, threshold: threshold)
    }

    // MARK: Checkpoints

    static let configKey = "glyphsim.model"
    static let architectureKey = "glyphsim.architecture"
    static let thresholdKey = "glyphsim.threshold"
    static let formatKey = "glyphsim.format"

    /// The checkpoint's tensors (model state) and metadata (configuration, threshold).
    public func checkpoint(extraTensors: [String: Tensor] = [:], extraMetadata: [String: String] = [:]) throws -> Checkpoint {
        var metadata = extraMetadata
        metadata[Self.formatKey] = "glyphsim-1"
        metadata[Self.configKey] = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        metadata[Self.architectureKey] = Towers.architectureDescription(config, tower: tower)
        if let threshold { metadata[Self.thresholdKey] = String(threshold) }
        var tensors = tower.stateTensors()
        for (name, t) in extraTensors { tensors[name] = t }
        return Checkpoint(tensors: tensors, metadata: metadata)
    }

    public func save(to url: URL, extraTensors: [String: Tensor] = [:], extraMetadata: [String: String] = [:]) throws {
        try checkpoint(extraTensors: extraTensors, extraMetadata: extraMetadata).write(to: url)
    }

    /// Loads a GlyphSim checkpoint, rebuilding the tower its metadata describes.
    public static func load(from url: URL) throws -> SiameseModel {
        let checkpoint = try Checkpoint.read(from: url)
        return try load(checkpoint, file: url.path)
    }

    public static func load(_ checkpoint: Checkpoint, file: String) throws -> SiameseModel {
        guard let configText = checkpoint.metadata[configKey],
              let config = try? JSONDecoder().decode(ModelConfig.self, from: Data(configText.utf8)) else {
            throw EngineError.checkpointUnreadable(file: file, reason: "no GlyphSim model configuration in its metadata (not a GlyphSim checkpoint?)")
        }
        // Checked before the tower is built: metadata can declare sizes no file could hold.
        do { try config.validate() } catch {
            throw EngineError.checkpointUnreadable(file: file, reason: "\(configKey): \(error)")
        }
        let model = try SiameseModel(config: config)
        try model.tower.loadState(checkpoint.modelTensors, file: file)
        if let t = checkpoint.metadata[thresholdKey] {
            guard let value = Float(t), value.isFinite, value >= 0 else {
                throw EngineError.checkpointUnreadable(file: file, reason: "\(thresholdKey) '\(t)' is not a finite, non-negative distance")
            }
            model.threshold = value
        }
        return model
    }

    /// Resolves a run folder or a checkpoint file to a checkpoint file (a run folder's best one).
    public static func checkpointURL(for path: String) throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SiameseError.runFolder(path: path, reason: "no such run folder or checkpoint")
        }
        if !isDirectory.boolValue { return URL(fileURLWithPath: path) }
        for name in [RunFolder.bestCheckpoint, RunFolder.lastCheckpoint] {
            let url = URL(fileURLWithPath: path).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw SiameseError.runFolder(path: path, reason: "holds no checkpoint (\(RunFolder.bestCheckpoint) or \(RunFolder.lastCheckpoint))")
    }
}
