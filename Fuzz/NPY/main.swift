import Foundation
import GlyphData

/// A NumPy array, as Omniglot's npz members are read: the header, then the payload as both
/// of the dtypes GlyphSim accepts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    _ = try? NPYReader.header(data, file: "fuzz.npy")
    _ = try? NPYReader.readBool(data, file: "fuzz.npy")
    _ = try? NPYReader.readInt64(data, file: "fuzz.npy")
    return 0
}
