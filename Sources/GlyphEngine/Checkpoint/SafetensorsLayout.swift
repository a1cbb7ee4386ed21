import Foundation

/// The safetensors container, apart from reading or writing files: an 8-byte little-endian
/// header length N, N bytes of JSON header, then the tensors' raw little-endian bytes.
///
///     {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...,
///      "__metadata__": {"key": "value"}}
///
/// Offsets are relative to the data section. The reference implementation requires the
/// tensors to tile the data section exactly (no overlap, no hole, nothing after the last),
/// and so does this parser: a header that lies about its offsets is refused before any
/// byte is read through it.
struct SafetensorsLayout {
    static let metadataKey = "__metadata__"
    static var maxHeaderLength: Int { EngineLimits.maxSafetensorsHeaderBytes }

    struct Entry {
        var name: String
        var dtype: SafetensorsDType
        var shape: [Int]
        var count: Int
        var begin: Int
        var byteCount: Int
    }

    var entries: [Entry]
    var metadata: [String: String]
    /// Offset of the data section from the start of the file.
    var dataStart: Int

    /// Parses and checks the header of `bytes`, the whole file.
    static func parse(_ bytes: Data, unreadable: (String) -> EngineError) throws -> SafetensorsLayout {
        guard bytes.count >= 8 else {
            throw unreadable("truncated: \(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let declared = bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard declared <= UInt64(maxHeaderLength) else {
            throw unreadable("header length \(declared) exceeds the \(maxHeaderLength)-byte limit")
        }
        let headerLength = Int(declared)
        guard 8 + headerLength <= bytes.count else {
            throw unreadable("truncated: the header claims \(headerLength) bytes but only \(bytes.count - 8) follow")
        }
        let headerBytes = bytes[(bytes.startIndex + 8)..<(bytes.startIndex + 8 + headerLength)]
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw unreadable("the header does not start with '{'")
        }
        guard String(data: headerBytes, encoding: .utf8) != nil,
              let json = try? JSONSerialization.jsonObject(with: headerBytes),
              let object = json as? [String: Any] else {
            throw unreadable("the header is not a JSON object")
        }

        var metadata = [String: String]()
        if let raw = object[metadataKey] {
            guard let dict = raw as? [String: Any], dict.values.allSatisfy({ $0 is String }) else {
                throw unreadable("\(metadataKey) must map strings to strings")
            }
            metadata = dict.mapValues { $0 as! String }
        }

        guard object.count <= EngineLimits.maxCheckpointTensors else {
            throw unreadable("the header lists \(object.count) tensors, more than the \(EngineLimits.maxCheckpointTensors) allowed")
        }
        var entries = [Entry]()
        for name in object.keys.sorted() where name != metadataKey {
            entries.append(try parseEntry(name, object[name]!, unreadable: unreadable))
        }
        let dataLength = bytes.count - 8 - headerLength
        try checkTiling(entries, dataLength: dataLength, unreadable: unreadable)
        return SafetensorsLayout(entries: entries, metadata: metadata, dataStart: 8 + headerLength)
    }

    private static func parseEntry(_ name: String, _ raw: Any, unreadable: (String) -> EngineError) throws -> Entry {
        guard let info = raw as? [String: Any] else { throw unreadable("tensor '\(name)': entry is not an object") }
        guard let dtypeName = info["dtype"] as? String else { throw unreadable("tensor '\(name)': no dtype") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw unreadable("tensor '\(name)' has dtype \(dtypeName); GlyphSim reads only "
                + SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let shape = naturals(info["shape"]) else {
            throw unreadable("tensor '\(name)': shape is not a list of non-negative integers")
        }
        guard shape.count <= EngineLimits.maxTensorDimensions else {
            throw unreadable("tensor '\(name)': shape \(shape) has more than \(EngineLimits.maxTensorDimensions) dimensions")
        }
        guard let offsets = naturals(info["data_offsets"]), offsets.count == 2, offsets[0] <= offsets[1] else {
            throw unreadable("tensor '\(name)': data_offsets must be [begin, end] with 0 <= begin <= end")
        }
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw unreadable("tensor '\(name)': shape \(shape) is too large") }
            count = product
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        let span = offsets[1] - offsets[0]
        guard !overflow, needed == span else {
            throw unreadable("tensor '\(name)': shape \(shape) of \(dtypeName) needs \(overflow ? "too many" : String(needed)) "
                + "bytes but data_offsets \(offsets) span \(span)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, count: count, begin: offsets[0], byteCount: span)
    }

    /// The tensors must cover the data section exactly, in some order, without overlap.
    private static func checkTiling(_ entries: [Entry], dataLength: Int, unreadable: (String) -> EngineError) throws {
        let ordered = entries.sorted { ($0.begin, $0.byteCount) < ($1.begin, $1.byteCount) }
        if let last = ordered.max(by: { $0.begin + $0.byteCount < $1.begin + $1.byteCount }),
           last.begin + last.byteCount > dataLength {
            throw unreadable("truncated or offsets out of range: tensor '\(last.name)' ends at byte "
                + "\(last.begin + last.byteCount) of the data section, which holds \(dataLength)")
        }
        var position = 0
        for entry in ordered {
            if entry.begin != position {
                throw unreadable("tensor '\(entry.name)' starts at byte \(entry.begin) of the data section; expected \(position) "
                    + (entry.begin < position ? "(it overlaps the tensor before it)" : "(a hole precedes it)"))
            }
            position += entry.byteCount
        }
        if position != dataLength {
            throw unreadable("the data section holds \(dataLength) bytes but the tensors cover only \(position)")
        }
    }

    /// A JSON list of non-negative integers, or nil.
    private static func naturals(_ raw: Any?) -> [Int]? {
        guard let list = raw as? [Any] else { return nil }
        var values = [Int]()
        for item in list {
            guard let number = item as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double >= 0, double == double.rounded(), double < 9e15 else { return nil }
            values.append(number.intValue)
        }
        return values
    }

    /// The JSON header for F32 tensors laid out one after the other in `tensors`' order,
    /// padded with spaces to a multiple of 8 bytes (as the reference writer does) so the data
    /// section starts aligned.
    static func encodeHeader(_ tensors: [(name: String, shape: [Int])], metadata: [String: String],
                             file: String) throws -> Data {
        var object = [String: Any]()
        var offset = 0
        for t in tensors {
            let bytes = Tensor.count(of: t.shape) * SafetensorsDType.F32.byteSize
            object[t.name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { object[metadataKey] = metadata }
        var header: Data
        do {
            header = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw EngineError.writeFailed(file: file, reason: "cannot encode the header (\(error.localizedDescription))")
        }
        let padding = (8 - header.count % 8) % 8
        header.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: padding))
        return header
    }
}
