import GlyphEngine

/// Builds the tower (the subnetwork shared by every image of a pair or triplet) for a configuration.
public enum Towers {
    public static func make(_ config: ModelConfig) throws -> Sequential {
        try config.validate()
        switch config.preset {
        case .koch: return try koch(config)
        case .fast: return try fast(config)
        }
    }

    /// Images per chunk of the Koch tower's checkpointed first block.
    static let kochCheckpointChunk = 32

    /// Koch et al. (2015), Figure 4, with their initialization: conv weights N(0, 0.01),
    /// biases N(0.5, 0.01), dense weights N(0, 0.2). The course report used this tower.
    static func koch(_ config: ModelConfig) throws -> Sequential {
        guard config.imageSize == 105 else {
            throw SiameseError.invalidConfiguration("the koch preset takes 105x105 images, not \(config.imageSize)x\(config.imageSize)")
        }
        let convWeight = Initializer.normal(mean: 0, std: 0.01)
        let convBias = Initializer.normal(mean: 0.5, std: 0.01)
        return try Sequential {
            // The first block has the largest activations (604 MB of conv1 output at 256 images):
            // it runs a chunk of images at a time and recomputes them in backward (see
            // `Checkpointed`; names and checkpoints are the plain tower's).
            try Checkpointed(imagesPerChunk: kochCheckpointChunk) {
                Conv2D(inChannels: 1, outChannels: 64, kernelSize: 10, weightInitializer: convWeight, biasInitializer: convBias)
                ReLU()
                MaxPool2D(2)
            }
            Conv2D(inChannels: 64, outChannels: 128, kernelSize: 7, weightInitializer: convWeight, biasInitializer: convBias)
            ReLU()
            MaxPool2D(2)
            Conv2D(inChannels: 128, outChannels: 128, kernelSize: 4, weightInitializer: convWeight, biasInitializer: convBias)
            ReLU()
            MaxPool2D(2)
            Conv2D(inChannels: 128, outChannels: 256, kernelSize: 4, weightInitializer: convWeight, biasInitializer: convBias)
            ReLU()
            Flatten()
            Dense(inFeatures: 9216, outFeatures: config.embeddingSize,
                  weightInitializer: .normal(mean: 0, std: 0.2), biasInitializer: convBias)
            Sigmoid()
            if config.normalization == .l2 { L2Normalize() }
        }
    }

    /// Conv-4 (Vinyals et al. 2016; Snell et al. 2017): 4 x [conv 3x3 same, batch norm, ReLU,
    /// max-pool 2], then an optional linear embedding. At 28x28 the last block leaves 1x1.
    static func fast(_ config: ModelConfig) throws -> Sequential {
        guard config.imageSize >= 16 else {
            throw SiameseError.invalidConfiguration("the fast preset needs images of at least 16x16, not \(config.imageSize)")
        }
        let widths = config.blockWidths
        guard widths.count == 4, widths.allSatisfy({ $0 > 0 }) else {
            throw SiameseError.invalidConfiguration("the fast preset has 4 blocks: widths must be 4 positive channel counts, not \(widths)")
        }
        guard (0...4).contains(config.poolCount) else {
            throw SiameseError.invalidConfiguration("the fast preset has 4 blocks: pools must lie in 0...4, not \(config.poolCount)")
        }
        var side = config.imageSize
        for _ in 0..<config.poolCount { side /= 2 }
        let features = widths[3] * side * side
        return Sequential {
            for block in 0..<4 {
                Conv2D(inChannels: block == 0 ? 1 : widths[block - 1], outChannels: widths[block], kernelSize: 3,
                       padding: .same, useBias: false)
                BatchNorm2D(channels: widths[block])
                ReLU()
                if block < config.poolCount { MaxPool2D(2) }
            }
            Flatten()
            if config.embeddingSize > 0 { Dense(inFeatures: features, outFeatures: config.embeddingSize) }
            if config.normalization == .l2 { L2Normalize() }
        }
    }

    /// The architecture as text, saved in checkpoints and compared on load.
    public static func architectureDescription(_ config: ModelConfig, tower: Sequential) -> String {
        "\(config.summary): " + tower.layers.map(\.name).joined(separator: " > ")
    }
}
