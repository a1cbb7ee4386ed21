/// Every limit GlyphData applies to input it did not make itself, in one place.
///
/// Each limit is checked as soon as the value is known (an image's header, an archive's
/// directory), before anything is allocated for it, so a small hostile file cannot ask for
/// gigabytes. Errors name the file and the limit. docs/own-glyphs.md lists these values; add
/// a new limit here (a constant with a comment saying what it bounds and why), not in a reader.
public enum InputLimits {
    // MARK: Images

    /// Widest or tallest image read (pixels). A 600 dpi scan of an A4 page is 4961x7016; no
    /// glyph image is larger, and the pixel limit below then bounds the memory.
    public static let maximumImageSide = 10_000

    /// Most pixels in one image: 40 million (a 600 dpi A4 page is 34.8 million). Decoding takes
    /// at most 4 bytes per pixel (TIFF's RGBA raster), 160 MB, before the image is reduced to gray.
    public static let maximumImagePixels = 40_000_000

    /// Narrowest or shortest image read (pixels). A glyph needs some pixels to show a stroke:
    /// a 1x1 or 2xN file is a mistake (a placeholder, a tracking pixel), not a glyph.
    public static let minimumImageSide = 4

    /// Largest image file read (bytes): 200 MB, more than an uncompressed 40-megapixel RGB
    /// TIFF (120 MB). Files are read whole before decoding, so this bounds that read.
    public static let maximumImageFileBytes = 200_000_000

    // MARK: Folders

    /// Most image files in one user folder dataset: the folder walk stops and refuses beyond it,
    /// so a folder of millions of stray files fails fast instead of filling memory with paths.
    public static let maximumFolderImages = 2_000_000

    /// Most bytes of pixels a user folder dataset may hold in memory (images x side x side, one
    /// byte each), checked before the dataset is allocated: 8 GB, a third of a 24 GB machine.
    public static let maximumDatasetBytes = 8_000_000_000

    /// Checks an image's size, read from its header, against the maximum size: every decoder
    /// calls this before allocating pixels. `file` names the image in the error.
    static func checkAllocation(width: Int, height: Int, file: String) throws(DataError) {
        if width <= 0 || height <= 0 {
            throw .imageSize(file: file, reason: "the header gives an empty size \(width)x\(height)")
        }
        if width > maximumImageSide || height > maximumImageSide {
            throw .imageSize(file: file, reason: "\(width)x\(height) pixels is larger than the limit of \(maximumImageSide) pixels a side")
        }
        if width * height > maximumImagePixels {
            throw .imageSize(file: file, reason: "\(width)x\(height) pixels is more than the limit of \(maximumImagePixels) pixels")
        }
    }

    /// Checks a user's image, by its header, against the maximum and the minimum size.
    static func checkImageSize(width: Int, height: Int, file: String) throws(DataError) {
        try checkAllocation(width: width, height: height, file: file)
        if width < minimumImageSide || height < minimumImageSide {
            throw .imageSize(file: file, reason: "\(width)x\(height) pixels is smaller than the minimum of \(minimumImageSide) pixels a side")
        }
    }
}
