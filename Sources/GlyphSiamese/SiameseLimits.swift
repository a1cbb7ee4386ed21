/// The Siamese floor's limits, in one place: on a `ModelConfig`, checked
/// (`ModelConfig.validate()`) before a tower is built, and on a `TrainingConfig`
/// (`TrainingConfig.validate()`). A configuration comes from the command line, a config.json
/// or a checkpoint's metadata, and a few bytes declaring huge widths or a huge epoch must be
/// refused, not turned into hundreds of gigabytes. The defaults are far inside them (koch: 39M
/// parameters; fast: 64-64-192-384 at 32x32, about 1.3M). See docs/hardening.md.
public enum SiameseLimits {
    /// Largest input side (Omniglot's images are 105x105).
    public static let maxImageSize = 256
    /// Smallest input side of the fast preset (four 2x2 pools need at least 16).
    public static let minFastImageSize = 16
    /// Most channels of one conv block.
    public static let maxWidth = 2048
    /// Largest embedding.
    public static let maxEmbeddingSize = 16_384
    /// Most parameters of a tower: 200M floats are 800 MB of weights (and as much again per
    /// optimizer buffer). Koch's tower has 39M.
    public static let maxParameters = 200_000_000

    /// Most images per step: one step holds every image's activations (Conv-4 at 32x32 needs
    /// about 1 MB per image, so 4096 images already take several GB).
    public static let maxBatchSize = 4096
    /// Most images per epoch: an epoch's batches are drawn up front, 8 bytes per image.
    public static let maxImagesPerEpoch = 10_000_000
    /// Most epochs of one run.
    public static let maxEpochs = 100_000
}
