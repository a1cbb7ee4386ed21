import Foundation
import FuzzSupport
import GlyphIndex

// An index file as `search --index`, `index add` and `serve --index` read it.
fuzz { data in _ = try? IndexFile.read(data, file: "fuzz.index") }
