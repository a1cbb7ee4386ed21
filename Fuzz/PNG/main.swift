import FuzzSupport
import GlyphData

// A user's image, as `compare`, `embed` and `search` read it: decoded, made gray, padded and
// resized to a model's side.
fuzz { data in _ = try? UserImages.convert(data, file: "fuzz.png", side: 32) }
