import Foundation
import FuzzSupport
@testable import GlyphEngine
import GlyphSiamese

// A checkpoint, as every command that loads a model reads it: the safetensors layout, the
// tensors decoded, then a GlyphSim model rebuilt from its metadata and loaded.
fuzz { data in
    let unreadable: (String) -> EngineError = { .checkpointUnreadable(file: "fuzz.safetensors", reason: $0) }
    guard let layout = try? SafetensorsLayout.parse(data, unreadable: unreadable) else { return }
    var tensors = [String: Tensor]()
    for entry in layout.entries {
        let start = layout.dataStart + entry.begin
        tensors[entry.name] = Tensor(shape: entry.shape, scalars: entry.dtype.decode(data[start ..< start + entry.byteCount], count: entry.count))
    }
    _ = try? SiameseModel.load(Checkpoint(tensors: tensors, metadata: layout.metadata), file: "fuzz.safetensors")
}
