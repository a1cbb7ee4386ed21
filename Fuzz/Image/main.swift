import FuzzSupport
import GlyphData

// A user's image of any format (PNG, JPEG, TIFF: picked by its first bytes) read as a scan, as
// new models read `compare`, `embed`, `index` and `serve` inputs: levels, crop, frame, resize.
fuzz { data in _ = try? UserImages.convert(data, file: "fuzz-image", preprocessing: .scan(side: 32)) }
