import Foundation
@testable import GlyphEngine
import GlyphSiamese

/// A checkpoint, as every command that loads a model reads it: the safetensors layout, the
/// tensors decoded, then a GlyphSim model rebuilt from its metadata and loaded.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    let unreadable: (String) -> EngineError = { .checkpointUnreadable(file: "fuzz.safetensors", reason: $0) }
    guard let layout = try? SafetensorsLayout.parse(data, unreadable: unreadable) else { return 0 }
    var tensors = [String: Tensor]()
    for entry in layout.entries {
        let start = layout.dataStart + entry.begin
        let scalars = entry.dtype.decode(data[start ..< start + entry.byteCount], count: entry.count)
        tensors[entry.name] = Tensor(shape: entry.shape, scalars: scalars)
    }
    _ = try? SiameseModel.load(Checkpoint(tensors: tensors, metadata: layout.metadata), file: "fuzz.safetensors")
    return 0
}
