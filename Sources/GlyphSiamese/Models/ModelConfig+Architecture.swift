extension ModelConfig {
    /// True when both configurations build the same tower (same layers and shapes), so weights
    /// of one load into the other: what fine-tuning needs. How images are read is not compared.
    public func architectureMatches(_ other: ModelConfig) -> Bool {
        preset == other.preset && imageSize == other.imageSize && blockWidths == other.blockWidths
            && embeddingSize == other.embeddingSize && normalization == other.normalization
            && poolCount == other.poolCount && (preset == .fast || width == other.width)
    }
}
