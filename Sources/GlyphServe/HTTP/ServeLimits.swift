/// Every limit the server puts on a request, in one place (documented in docs/serve.md).
///
/// The body limit is checked against `Content-Length` before a byte is read, and again while
/// a body without one streams in, so a 100 MB upload costs at most `maxBodyBytes` of memory.
/// The image limit is checked on the PNG or JPEG header before decoding: an image is padded
/// to a square of its longer side before resizing, so it is that side that costs memory.
public struct ServeLimits: Sendable, Equatable {
    /// Largest request body accepted (bytes): a phone photo of a page fits, a video does not.
    public var maxBodyBytes: Int = 8 << 20
    /// Longest image side accepted (pixels), before decoding.
    public var maxImageSide: Int = 4096
    /// Most neighbours one search may ask for.
    public var maxK: Int = 100
    /// Neighbours returned when a search gives no `k`.
    public var defaultK: Int = 8
    /// Most queued images embedded in one forward pass.
    public var maxBatch: Int = 32

    public init() {}
}
