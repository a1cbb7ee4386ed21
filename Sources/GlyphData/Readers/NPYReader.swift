import Foundation

/// What the header of a NumPy `.npy` array says.
public struct NPYHeader: Sendable, Equatable {
    /// NumPy's type string, e.g. `|b1` (bool) or `<i8` (little-endian int64).
    public var descr: String
    public var fortranOrder: Bool
    public var shape: [Int]
    /// Byte offset of the first element.
    public var dataOffset: Int

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A parser for NumPy's `.npy` format (versions 1, 2 and 3), for the two kinds of array
/// Omniglot's npz holds: `|b1` (bool, one byte each) and `<i8` (little-endian int64).
/// Anything else (another dtype, Fortran order, big-endian, a short payload) is refused
/// with `DataError.corruptNPY`, never guessed at.
public enum NPYReader {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// Parses the header of `data`; `file` names the array in error messages.
    public static func header(_ data: Data, file: String) throws -> NPYHeader {
        func fail(_ reason: String) -> DataError { .corruptNPY(file: file, reason: reason) }
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("no .npy magic number") }
        let major = bytes[6]
        let headerLength: Int, start: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default:
            throw fail("unsupported .npy version \(major)")
        }
        guard headerLength > 0, start + headerLength <= data.count else { throw fail("truncated header") }
        let headerBytes = data[data.startIndex + start ..< data.startIndex + start + headerLength]
        guard let text = String(bytes: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail("header is not text")
        }
        guard let descr = stringValue(of: "descr", in: text) else { throw fail("header has no 'descr'") }
        guard let fortran = boolValue(of: "fortran_order", in: text) else { throw fail("header has no 'fortran_order'") }
        guard let shape = shapeValue(in: text) else { throw fail("header has no readable 'shape'") }
        return NPYHeader(descr: descr, fortranOrder: fortran, shape: shape, dataOffset: start + headerLength)
    }

    /// A C-order bool array: its shape and one byte (0 or 1) per element.
    public static func readBool(_ data: Data, file: String) throws -> (shape: [Int], values: [UInt8]) {
        let h = try check(data, file: file, descr: ["|b1"], elementSize: 1)
        let values = [UInt8](data[(data.startIndex + h.dataOffset)...].prefix(h.elementCount))
        return (h.shape, values)
    }

    /// A C-order little-endian int64 array.
    public static func readInt64(_ data: Data, file: String) throws -> (shape: [Int], values: [Int64]) {
        let h = try check(data, file: file, descr: ["<i8"], elementSize: 8)
        var values = [Int64](repeating: 0, count: h.elementCount)
        values.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { raw in
                out.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[h.dataOffset ..< h.dataOffset + out.count]))
            }
        }
        for i in values.indices { values[i] = Int64(littleEndian: values[i]) }
        return (h.shape, values)
    }

    /// Checks dtype, order and payload size; returns the header.
    static func check(_ data: Data, file: String, descr allowed: Set<String>, elementSize: Int) throws -> NPYHeader {
        let h = try header(data, file: file)
        func fail(_ reason: String) -> DataError { .corruptNPY(file: file, reason: reason) }
        guard allowed.contains(h.descr) else {
            throw fail("dtype '\(h.descr)', expected \(allowed.sorted().joined(separator: " or "))")
        }
        guard !h.fortranOrder else { throw fail("Fortran order is not supported, expected C order") }
        guard h.shape.count <= InputLimits.maxNPYDimensions else {
            throw fail("shape \(h.shape) has more than \(InputLimits.maxNPYDimensions) dimensions")
        }
        guard h.shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }) else { throw fail("shape \(h.shape) is out of range") }
        let (count, overflow) = h.shape.reduce((1, false)) { acc, d in
            let (m, o) = acc.0.multipliedReportingOverflow(by: d)
            return (m, acc.1 || o)
        }
        guard !overflow, count <= Int.max / elementSize else { throw fail("shape \(h.shape) is too large") }
        let needed = count * elementSize
        guard data.count - h.dataOffset >= needed else {
            throw fail("payload holds \(data.count - h.dataOffset) bytes, shape \(h.shape) needs \(needed)")
        }
        return h
    }

    // MARK: - The header dict, e.g. {'descr': '|b1', 'fortran_order': False, 'shape': (964, 20, 105, 105), }

    static func valueStart(of key: String, in text: String) -> Substring? {
        for quote in ["'", "\""] {
            if let r = text.range(of: quote + key + quote) {
                let rest = text[r.upperBound...].drop { $0 == " " }
                guard rest.first == ":" else { return nil }
                return rest.dropFirst().drop { $0 == " " }
            }
        }
        return nil
    }

    static func stringValue(of key: String, in text: String) -> String? {
        guard let v = valueStart(of: key, in: text), let q = v.first, q == "'" || q == "\"" else { return nil }
        let body = v.dropFirst()
        guard let end = body.firstIndex(of: q) else { return nil }
        return String(body[..<end])
    }

    static func boolValue(of key: String, in text: String) -> Bool? {
        guard let v = valueStart(of: key, in: text) else { return nil }
        if v.hasPrefix("True") { return true }
        if v.hasPrefix("False") { return false }
        return nil
    }

    static func shapeValue(in text: String) -> [Int]? {
        guard let v = valueStart(of: "shape", in: text), v.first == "(", let end = v.firstIndex(of: ")") else { return nil }
        let inside = v[v.index(after: v.startIndex)..<end]
        var shape = [Int]()
        for part in inside.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let n = Int(t) else { return nil }
            shape.append(n)
        }
        return shape
    }
}

/// A NumPy `.npz` file: a zip of `.npy` members.
public enum NPZReader {
    /// The raw bytes of member `name` (e.g. `images.npy`) of the npz at `url`.
    public static func member(_ name: String, of url: URL) throws -> Data {
        try ZipSource(url: url).read(name)
    }

    /// Names of the arrays in the npz (member names without `.npy`).
    public static func arrayNames(in url: URL) throws -> [String] {
        try ZipSource(url: url).filePaths.map { $0.hasSuffix(".npy") ? String($0.dropLast(4)) : $0 }
    }
}
