import Foundation
import GlyphEngine
import GlyphRandom

/// Measures training and inference throughput of a tower on random input: what
/// `glyphsim bench` prints and what bench/pytorch_reference.py measures the same way.
public struct TrainingBenchmark {
    public enum Model: String, CaseIterable, Sendable, Codable {
        /// Koch et al.'s network at 105x105 (the seed's subnetwork).
        case koch
        /// Conv-4 at 28x28: 4 x [conv 3x3 64 same, batch norm, ReLU, max-pool 2], flatten (64 features).
        case conv4_28 = "conv4-28"

        public var config: ModelConfig {
            switch self {
            case .koch: return ModelConfig(preset: .koch)
            case .conv4_28: return ModelConfig(preset: .fast, imageSize: 28, width: 64, embeddingSize: 0, normalization: ModelConfig.Normalization.none)
            }
        }
    }

    public enum Mode: String, CaseIterable, Sendable, Codable { case contrastive, triplet, infer }

    public struct Measurement: Codable, Sendable {
        public var model: String
        public var mode: String
        public var images: Int
        public var threads: Int
        public var imagesPerSecond: Double
        public var peakRSSMB: Double
        public var steps: Int
        public var framework = "glyphsim"

        enum CodingKeys: String, CodingKey {
            case model, mode, images, threads, steps, framework
            case imagesPerSecond = "images_per_second"
            case peakRSSMB = "peak_rss_mb"
        }
    }

    public var model: Model
    public var mode: Mode
    public var images: Int
    /// Timed steps after one warm-up step; at least `minimumSteps`, more until `minimumSeconds` have passed.
    public var minimumSteps = 3
    public var minimumSeconds = 10.0
    /// Whether the tower runs with its fused steps (`ExecutionPlan`), as training does.
    public var fusing = true
    /// Called once with the plan's description before the first step.
    public var describePlan: ((String) -> Void)?

    public init(model: Model, mode: Mode, images: Int) {
        self.model = model
        self.mode = mode
        self.images = images
    }

    public func run() throws -> Measurement {
        let config = model.config
        let siamese = try SiameseModel(config: config, seed: 1)
        let plan = ExecutionPlan(siamese.tower, fusing: fusing)
        describePlan?(plan.describe(inputShape: siamese.inputShape))
        let side = config.imageSize
        let groups = mode == .triplet ? 3 : 2
        let n = mode == .infer ? images : images / groups * groups
        var generator = SeededGenerator(seed: 7)
        // Random non-zero input in [0, 1), like a glyph's ink after augmentation.
        let input = Tensor(shape: [n, 1, side, side], scalars: (0..<(n * side * side)).map { _ in generator.nextUniform() })
        let optimizer = SGD(learningRate: 0.001, momentum: 0.9)
        optimizer.allocateState(for: plan.parameters)
        // Pairs alternate similar and dissimilar (rows 2i, 2i+1); triplets are anchor, positive, negative.
        let classes = mode == .contrastive
            ? (0..<n).map { row in row / 2 % 2 == 1 ? row : row / 2 * 2 }
            : (0..<n).map { row in row % 3 == 2 ? row : row / 3 * 3 }
        let loss: any EmbeddingLoss = mode == .contrastive ? ContrastiveLoss(margin: 1) : TripletLoss(margin: 1)

        func step() throws {
            if mode == .infer {
                _ = try plan.forward(input, training: false)
                return
            }
            let embeddings = try plan.forward(input, training: true)
            let output = try loss(embeddings: embeddings, classes: classes)
            try plan.accumulateParameterGradients(output.gradient)
            optimizer.step(plan.parameters)
            plan.zeroGradients()
        }

        try step()  // warm-up: allocations, OpenMP thread start, oneDNN kernels
        var times = [Double]()
        let start = Date()
        while times.count < minimumSteps || Date().timeIntervalSince(start) < minimumSeconds {
            let t0 = Date()
            try step()
            times.append(Date().timeIntervalSince(t0))
            if times.count >= 1000 { break }
        }
        times.sort()
        let median = times[times.count / 2]
        return Measurement(model: model.rawValue, mode: mode.rawValue, images: n, threads: ComputeThreads.count,
                           imagesPerSecond: Double(n) / median, peakRSSMB: Self.peakResidentMegabytes(), steps: times.count)
    }

    /// The process's peak resident set size (VmHWM in /proc/self/status), in MB.
    public static func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }
}
