import FuzzSupport
@testable import GlyphData

// A zip archive: its central directory, then every member inflated and CRC-checked.
fuzz { data in
    guard let zip = try? ZipSource(data: data, name: "fuzz.zip") else { return }
    for entry in zip.fileEntries { _ = try? zip.read(entry) }
}
