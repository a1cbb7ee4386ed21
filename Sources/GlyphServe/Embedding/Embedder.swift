import Dispatch
import Foundation
import GlyphData
import GlyphSiamese

/// The one path every request's images take through the model.
///
/// The engine's tower is a class with caches and is not thread-safe, so forward passes are
/// serialized on one dispatch queue, away from both the event loop and Swift's cooperative
/// pool (a forward pass blocks its thread for milliseconds). Images that arrive while a pass
/// runs wait in a queue and go through the next pass together, up to `maxBatch` at a time:
/// under load, one batched pass costs far less than the same images one by one.
public final class Embedder: @unchecked Sendable {
    // @unchecked: `model` is touched only on `queue`; `pending` and `draining` only under `lock`.
    private let model: SiameseModel
    private let queue = DispatchQueue(label: "glyphserve.embedder", qos: .userInitiated)
    private let lock = NSLock()
    private var pending: [(image: [Float], continuation: CheckedContinuation<[Float], any Error>)] = []
    private var draining = false
    private let maxBatch: Int

    /// Side of the square images the model takes.
    public let side: Int
    /// Length of the embeddings.
    public let dimension: Int
    /// The model's decision threshold on distances (nil when the model was never validated).
    public let threshold: Float?
    public let config: ModelConfig
    /// How uploads are read: the preprocessing recorded in the model's checkpoint, as
    /// `glyphsim compare` reads files (paper level, crop and polarity where the model says so).
    public let preprocessing: Preprocessing

    public init(model: SiameseModel, maxBatch: Int = 32) {
        self.model = model
        self.maxBatch = max(1, maxBatch)
        self.side = model.config.imageSize
        self.dimension = model.embeddingSize
        self.threshold = model.threshold
        self.config = model.config
        self.preprocessing = model.preprocessing
    }

    /// Decodes an uploaded image (PNG, JPEG or TIFF) the way `SiameseModel.loadImage` reads a
    /// file: as the model's preprocessing says, to `side * side` floats with ink = 1.
    public func prepare(_ data: Data, name: String, limits: ServeLimits) throws -> [Float] {
        try ImageHeader.check(data, name: name, maxSide: limits.maxImageSide)
        do {
            return try UserImages.convert(data, file: name, preprocessing: preprocessing)
        } catch let error as DataError {
            throw ServeError.unreadableImage(error.description)
        }
    }

    /// The embedding of one prepared image (`side * side` floats, ink = 1).
    public func embed(_ image: [Float]) async throws -> [Float] {
        guard image.count == side * side else {
            throw ServeError.badRequest("an image of \(image.count) values for a model of \(side)x\(side)")
        }
        return try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            pending.append((image, continuation))
            let start = !draining
            draining = true
            lock.unlock()
            if start { queue.async { self.drain() } }
        }
    }

    /// Runs forward passes until the queue is empty. Only ever one drain runs at a time.
    private func drain() {
        while true {
            lock.lock()
            if pending.isEmpty { draining = false; lock.unlock(); return }
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            lock.unlock()
            do {
                let embeddings = try model.embed(images: batch.map(\.image), batchSize: batch.count)
                for (i, item) in batch.enumerated() {
                    let row = Array(embeddings.row(i))
                    if row.allSatisfy(\.isFinite) {
                        item.continuation.resume(returning: row)
                    } else {
                        item.continuation.resume(throwing: ServeError.collection("the model gave a non-finite embedding"))
                    }
                }
            } catch {
                for item in batch { item.continuation.resume(throwing: error) }
            }
        }
    }
}
