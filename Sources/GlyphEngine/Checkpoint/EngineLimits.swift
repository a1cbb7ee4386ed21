/// The engine floor's limits on checkpoint files, in one place. A checkpoint is checked
/// against these and against the file's real size before anything is allocated for what
/// its header claims (docs/hardening.md).
public enum EngineLimits {
    /// Largest safetensors JSON header. GlyphSim's headers are a few kilobytes (Koch's tower:
    /// about 2 KB); the reference implementation allows 100 MB, which costs gigabytes of JSON
    /// objects to parse. 4 MB is still a thousand times any real header.
    public static let maxSafetensorsHeaderBytes = 4 << 20

    /// Most tensors one checkpoint may hold (a tower with its optimizer state has under 100).
    public static let maxCheckpointTensors = 100_000

    /// Most dimensions of one tensor.
    public static let maxTensorDimensions = 8
}
