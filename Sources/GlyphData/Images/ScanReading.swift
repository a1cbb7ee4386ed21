/// Turns a decoded gray image into a model input as a `Preprocessing` says: ink = 1, paper = 0,
/// `side`x`side`.
///
/// With paper normalization, each image's own paper and ink levels are estimated, so a glyph on
/// beige or gray paper, or under scanner noise, reads like one on white paper:
/// - paper: the median of a band of border pixels (a glyph image's border is paper), and the
///   noise: the border's median absolute deviation;
/// - polarity (when `auto`): ink lies on the side of the paper level where the image reaches
///   further (the 0.5th and 99.5th percentiles of the histogram);
/// - ink: the upper quartile, in distance from the paper, of the pixels clearly away from it;
/// - each pixel maps linearly from paper (0) to ink (1), clamped, with a dead zone of three
///   noise deviations so that paper grain reads as paper.
///
/// With cropping, the ink's bounding box (pixels at least half ink) is centred in a square with
/// the margin around it; paper fills what lies outside the image. The square is then
/// area-resized to `side` without ever being allocated, so a tall thin image costs no more than
/// its own pixels.
public enum ScanReading {
    /// Paper and ink levels of one image (gray 0...255) and which of them is darker.
    public struct Levels: Sendable, Equatable {
        public var paper: Float
        public var ink: Float
        /// Standard deviation of the paper's gray (robust estimate from the border).
        public var noise: Float
        public var darkInk: Bool
        /// False when nothing in the image stands out from the paper (a blank image).
        public var hasInk: Bool
    }

    /// The model input for `image` (row-major `side*side`, ink = 1).
    public static func read(_ image: GrayImage, as preprocessing: Preprocessing) -> [Float] {
        let ink = preprocessing.normalizesPaper ? normalizedInk(image, polarity: preprocessing.polarity)
                                                : linearInk(image, polarity: preprocessing.polarity)
        let canvas = preprocessing.crops ? cropSquare(ink, width: image.width, height: image.height, margin: preprocessing.cropMargin)
                                         : wholeSquare(width: image.width, height: image.height)
        return resizeArea(ink, width: image.width, height: image.height, canvas: canvas, to: preprocessing.side)
    }

    // MARK: Gray to ink

    /// Today's reading without normalization: black = 1, white = 0 (or the reverse), polarity
    /// from the border's mean gray.
    static func linearInk(_ image: GrayImage, polarity: UserImages.Polarity) -> [Float] {
        let darkInk: Bool
        switch polarity {
        case .darkInk: darkInk = true
        case .lightInk: darkInk = false
        case .auto: darkInk = borderMean(image) >= 127.5
        }
        return image.pixels.map { darkInk ? 1 - Float($0) * (1 / 255) : Float($0) * (1 / 255) }
    }

    static func normalizedInk(_ image: GrayImage, polarity: UserImages.Polarity) -> [Float] {
        let levels = estimateLevels(image, polarity: polarity)
        guard levels.hasInk else { return [Float](repeating: 0, count: image.pixels.count) }
        let contrast = abs(levels.paper - levels.ink)
        let deadZone = min(0.5, 3 * levels.noise / contrast)
        let sign: Float = levels.darkInk ? 1 : -1
        let scale = 1 / (contrast * (1 - deadZone))
        let offset = deadZone * contrast
        return image.pixels.map { g in
            let away = sign * (levels.paper - Float(g)) - offset
            return min(1, max(0, away * scale))
        }
    }

    /// Paper, ink and noise levels of `image`; `polarity` fixes which side ink is on unless `auto`.
    public static func estimateLevels(_ image: GrayImage, polarity: UserImages.Polarity = .auto) -> Levels {
        let border = Histogram(borderOf: image)
        let all = Histogram(image.pixels)
        let paper = border.quantile(0.5)
        let deviation = border.quantile(0.5) { abs($0 - paper) }
        let noise = max(0.5, 1.4826 * deviation)
        let darkInk: Bool
        switch polarity {
        case .darkInk: darkInk = true
        case .lightInk: darkInk = false
        case .auto: darkInk = paper - all.quantile(0.005) >= all.quantile(0.995) - paper
        }
        // Pixels clearly away from the paper, on the ink's side: at least 4 deviations and 20 levels.
        let threshold = max(4 * noise, 20)
        let away = Histogram(all, mapped: { darkInk ? paper - $0 : $0 - paper }, keepingAbove: threshold)
        guard away.count > 0 else { return Levels(paper: paper, ink: paper, noise: noise, darkInk: darkInk, hasInk: false) }
        let distance = away.quantile(0.75)
        return Levels(paper: paper, ink: darkInk ? paper - distance : paper + distance, noise: noise,
                      darkInk: darkInk, hasInk: true)
    }

    static func borderMean(_ image: GrayImage) -> Float {
        let w = image.width, h = image.height
        var sum = 0, count = 0
        for x in 0..<w { sum += Int(image.pixels[x]) + Int(image.pixels[(h - 1) * w + x]); count += 2 }
        for y in 0..<h { sum += Int(image.pixels[y * w]) + Int(image.pixels[y * w + w - 1]); count += 2 }
        return Float(sum) / Float(count)
    }

    // MARK: Framing

    /// A square in image coordinates (its origin may lie outside the image).
    struct Canvas: Equatable {
        var x: Int, y: Int, side: Int
    }

    /// The whole image, centred in a square (the shorter side padded with paper).
    static func wholeSquare(width: Int, height: Int) -> Canvas {
        let s = max(width, height)
        return Canvas(x: -((s - width) / 2), y: -((s - height) / 2), side: s)
    }

    /// The ink's bounding box centred in a square with `margin` of its longer side on each side;
    /// the whole image when there is no ink.
    static func cropSquare(_ ink: [Float], width: Int, height: Int, margin: Double) -> Canvas {
        var x0 = width, y0 = height, x1 = -1, y1 = -1
        for y in 0..<height {
            let row = y * width
            for x in 0..<width where ink[row + x] >= 0.5 {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        guard x1 >= 0 else { return wholeSquare(width: width, height: height) }
        let boxWidth = x1 - x0 + 1, boxHeight = y1 - y0 + 1
        let longer = max(boxWidth, boxHeight)
        let side = max(longer, Int((Double(longer) * (1 + 2 * margin)).rounded()))
        return Canvas(x: x0 - (side - boxWidth) / 2, y: y0 - (side - boxHeight) / 2, side: side)
    }

    /// Area-resizes the `canvas` square of `ink` (0 outside the image) to `to`x`to`, with the
    /// windows of `F.interpolate(mode="area")` over the canvas: rows summed per output column
    /// window first, then those sums per output row window.
    static func resizeArea(_ ink: [Float], width: Int, height: Int, canvas: Canvas, to: Int) -> [Float] {
        let windows = areaWindows(from: canvas.side, to: to)
        // Each window in image columns (rows), clipped to the image: empty when it lies outside.
        func clipped(_ w: Range<Int>, offset: Int, limit: Int) -> Range<Int> {
            let lower = min(limit, max(0, w.lowerBound + offset))
            return lower ..< max(lower, min(limit, w.upperBound + offset))
        }
        let columns = windows.map { clipped($0, offset: canvas.x, limit: width) }
        let rows = windows.map { clipped($0, offset: canvas.y, limit: height) }
        // The image rows any window touches, and their sums over each column window.
        let touched = rows.filter { !$0.isEmpty }
        let firstRow = touched.map(\.lowerBound).min() ?? 0, lastRow = touched.map(\.upperBound).max() ?? 0
        let usedRows = max(0, lastRow - firstRow)
        var rowSums = [Float](repeating: 0, count: usedRows * to)
        ink.withUnsafeBufferPointer { src in
            rowSums.withUnsafeMutableBufferPointer { sums in
                for r in 0..<usedRows {
                    let row = (firstRow + r) * width
                    for j in 0..<to where !columns[j].isEmpty {
                        var sum: Float = 0
                        for x in columns[j] { sum += src[row + x] }
                        sums[r * to + j] = sum
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: to * to)
        for i in 0..<to where !rows[i].isEmpty {
            for j in 0..<to where !columns[j].isEmpty {
                var sum: Float = 0
                for y in rows[i] { sum += rowSums[(y - firstRow) * to + j] }
                out[i * to + j] = sum / Float(windows[i].count * windows[j].count)
            }
        }
        return out
    }
}

/// Counts of gray levels 0...255, for quantiles of an image or its border.
struct Histogram {
    var bins = [Int](repeating: 0, count: 256)
    var count = 0

    init(_ pixels: [UInt8]) {
        for p in pixels { bins[Int(p)] += 1 }
        count = pixels.count
    }

    /// The border band: `max(1, min(w, h) / 50)` pixels deep on each side.
    init(borderOf image: GrayImage) {
        let w = image.width, h = image.height
        let depth = max(1, min(w, h) / 50)
        for y in 0..<h {
            let edgeRow = y < depth || y >= h - depth
            for x in 0..<w where edgeRow || x < depth || x >= w - depth {
                bins[Int(image.pixels[y * w + x])] += 1
                count += 1
            }
        }
    }

    /// Levels of `source` moved by `map` (rounded, clamped to 0...255), keeping only those above `threshold`.
    init(_ source: Histogram, mapped map: (Float) -> Float, keepingAbove threshold: Float) {
        for level in 0..<256 where source.bins[level] > 0 {
            let moved = map(Float(level))
            guard moved > threshold else { continue }
            bins[min(255, max(0, Int(moved.rounded())))] += source.bins[level]
            count += source.bins[level]
        }
    }

    /// The gray level below which a fraction `q` of the counts lie (of `transform(level)` when given).
    func quantile(_ q: Double, _ transform: ((Float) -> Float)? = nil) -> Float {
        var b = bins
        if let transform {
            b = [Int](repeating: 0, count: 256)
            for level in 0..<256 where bins[level] > 0 {
                b[min(255, max(0, Int(transform(Float(level)).rounded())))] += bins[level]
            }
        }
        let target = max(1, Int((Double(count) * q).rounded(.up)))
        var seen = 0
        for level in 0..<256 {
            seen += b[level]
            if seen >= target { return Float(level) }
        }
        return 255
    }
}
