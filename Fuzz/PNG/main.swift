import Foundation
import GlyphData

/// A user's image, as `compare`, `embed` and `search` read it: decoded, made gray, padded and
/// resized to a model's side.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = try? UserImages.convert(Data(bytes: bytes, count: count), file: "fuzz.png", side: 32)
    return 0
}
