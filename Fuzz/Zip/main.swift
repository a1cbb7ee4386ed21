import Foundation
@testable import GlyphData

/// A zip archive: its central directory, then every member inflated and checked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let zip = try? ZipSource(data: Data(bytes: bytes, count: count), name: "fuzz.zip") else { return 0 }
    for entry in zip.fileEntries { _ = try? zip.read(entry) }
    return 0
}
