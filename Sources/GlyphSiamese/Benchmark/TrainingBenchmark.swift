import Foundation
import GlyphEngine
import GlyphRandom

/// Measures training and inference throughput of a tower on random input: what
/// `glyphsim bench` prints and what bench/pytorch_reference.py measures the same way (for the
/// koch and conv4-28 networks).
public struct TrainingBenchmark {
    public enum Model: String, CaseIterable, Sendable, Codable {
        /// Koch et al.'s network at 105x105 (the course report's subnetwork).
        case koch
        /// The fast preset exactly as `glyphsim train` builds it by default: 32x32 input,
        /// blocks of 64-64-192-384 channels, a 128-d L2-normalized embedding.
        case fast
        /// Conv-4 at 28x28, the few-shot literature's baseline network (a different network from
        /// the fast preset): 4 x [conv 3x3 64 same, batch norm, ReLU, max-pool 2], flattened to 64
        /// features, no embedding layer and no normalization; built from the fast preset's blocks
        /// at width 64. bench/pytorch_reference.py measures the same network.
        case conv4_28 = "conv4-28"

        /// The training configuration the measured step follows: `glyphsim train`'s defaults for
        /// the preset (for Conv-4, the fast preset's with Conv-4's architecture).
        public var training: TrainingConfig {
            switch self {
            case .koch: return TrainingConfig(model: ModelConfig(preset: .koch))
            case .fast: return TrainingConfig(model: ModelConfig(preset: .fast))
            case .conv4_28:
                return TrainingConfig(model: ModelConfig(preset: .fast, imageSize: 28, width: 64, embeddingSize: 0,
                                                         normalization: ModelConfig.Normalization.none))
            }
        }

        public var config: ModelConfig { training.model }

        /// The mode measured when none is asked for: the loss `glyphsim train` uses for the model.
        public var defaultMode: Mode { self == .fast ? .prototypical : .contrastive }
    }

    /// What a measured step does: a training step with one of the losses, or inference only.
    public enum Mode: String, CaseIterable, Sendable, Codable { case contrastive, triplet, prototypical, infer }

    /// `glyphsim bench`'s standard set: the two networks bench/pytorch_reference.py also
    /// measures, in every mode it has, and the default model's own training step and inference.
    public static let standardSet: [(model: Model, mode: Mode, images: Int)] =
        [Model.koch, .conv4_28].flatMap { model in
            [Mode.contrastive, .triplet, .infer].flatMap { mode in [128, 256].map { (model, mode, $0) } }
        } + [(.fast, .prototypical, 256), (.fast, .infer, 256)]

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
        let training = model.training
        let config = training.model
        let siamese = try SiameseModel(config: config, seed: 1)
        let plan = ExecutionPlan(siamese.tower, fusing: fusing)
        describePlan?(plan.describe(inputShape: siamese.inputShape))
        let side = config.imageSize
        let groups: Int
        switch mode {
        case .contrastive: groups = 2
        case .triplet: groups = 3
        case .prototypical: groups = training.imagesPerCharacter
        case .infer: groups = 1
        }
        let n = images / groups * groups
        var generator = SeededGenerator(seed: 7)
        // Random non-zero input in [0, 1), like a glyph's ink after augmentation.
        let input = Tensor(shape: [n, 1, side, side], scalars: (0..<(n * side * side)).map { _ in generator.nextUniform() })
        // The default model steps with the optimizer `glyphsim train` makes for it; the networks
        // compared with PyTorch keep the reference's SGD with momentum.
        let optimizer: any Optimizer = model == .fast
            ? training.optimizer.make(learningRate: training.learningRate, momentum: training.momentum,
                                      nesterov: training.nesterov, weightDecay: training.weightDecay)
            : SGD(learningRate: 0.001, momentum: 0.9)
        optimizer.allocateState(for: plan.parameters)
        // Pairs alternate similar and dissimilar (rows 2i, 2i+1); triplets are anchor, positive,
        // negative; P x K batches hold K consecutive images of each of P characters.
        let classes: [Int]
        let loss: any EmbeddingLoss
        switch mode {
        case .contrastive:
            classes = (0..<n).map { row in row / 2 % 2 == 1 ? row : row / 2 * 2 }
            loss = ContrastiveLoss(margin: 1)
        case .triplet:
            classes = (0..<n).map { row in row % 3 == 2 ? row : row / 3 * 3 }
            loss = TripletLoss(margin: 1)
        case .prototypical, .infer:
            classes = (0..<n).map { $0 / groups }
            loss = PrototypicalLoss(temperature: training.effectiveTemperature)
        }

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
