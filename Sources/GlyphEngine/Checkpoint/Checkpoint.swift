import Foundation

/// A model's tensors and a run's description, stored as a safetensors file: the format
/// PyTorch, JAX and NumPy users read with `safetensors.*.load_file`, so a GlyphSim model can
/// be inspected or used outside Swift, and a file from elsewhere can be loaded here.
///
/// Tensors are written as F32. Reading also accepts F64, F16 and BF16 (converted to Float);
/// any other dtype is refused with a message naming it.
public struct Checkpoint {
    public var tensors: [String: Tensor]
    /// Free-form strings, e.g. `glyphsim.architecture` (a JSON description of the model) and
    /// `glyphsim.config` (the run's configuration).
    public var metadata: [String: String]

    public init(tensors: [String: Tensor], metadata: [String: String]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensors outside the optimizer's `optimizer.` namespace: the model's state, for
    /// `Layer.loadState` when one file holds both model and optimizer.
    public var modelTensors: [String: Tensor] {
        tensors.filter { !$0.key.hasPrefix(OptimizerState.prefix) }
    }

    /// Reads and fully validates a safetensors file. Throws `EngineError.checkpointUnreadable`
    /// naming the file and the problem: missing file, truncated file, bad header, offsets that
    /// overlap, leave holes or run past the data, a size that does not match the shape, or an
    /// unsupported dtype.
    public static func read(from url: URL) throws -> Checkpoint {
        let file = url.path
        func unreadable(_ reason: String) -> EngineError { .checkpointUnreadable(file: file, reason: reason) }
        guard FileManager.default.fileExists(atPath: file) else { throw unreadable("no such file") }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw unreadable("cannot read the file (\(error.localizedDescription))")
        }
        let layout = try SafetensorsLayout.parse(bytes, unreadable: unreadable)
        var tensors = [String: Tensor](minimumCapacity: layout.entries.count)
        for entry in layout.entries {
            let start = layout.dataStart + entry.begin
            let scalars = entry.dtype.decode(bytes[(bytes.startIndex + start)..<(bytes.startIndex + start + entry.byteCount)],
                                             count: entry.count)
            tensors[entry.name] = Tensor(shape: entry.shape, scalars: scalars)
        }
        return Checkpoint(tensors: tensors, metadata: layout.metadata)
    }

    /// Writes the file atomically: the bytes go to a temporary file in the same folder, which
    /// is flushed to disk and then renamed over `url`. A crash or a full disk leaves either the
    /// old file or the new one, never half of one, and no temporary file behind.
    /// Throws `EngineError.writeFailed` naming the file and the system's reason.
    public func write(to url: URL) throws {
        let names = tensors.keys.sorted()
        if let bad = names.first(where: { $0 == SafetensorsLayout.metadataKey || $0.isEmpty }) {
            throw EngineError.writeFailed(file: url.path, reason: "'\(bad)' cannot name a tensor in a safetensors file")
        }
        let header = try SafetensorsLayout.encodeHeader(
            names.map { (name: $0, shape: tensors[$0]!.shape) }, metadata: metadata, file: url.path)
        try AtomicFileWriter.write(to: url) { sink in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try sink($0) }
            try header.withUnsafeBytes { try sink($0) }
            for name in names {
                try tensors[name]!.scalars.withUnsafeBytes { try sink($0) }
            }
        }
    }
}
