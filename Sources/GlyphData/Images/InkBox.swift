/// The bounding box of a glyph's ink, robust to dust: specks on the paper away from the glyph
/// do not stretch it, while the glyph's own small parts (dots, accents) near it count.
///
/// Ink pixels (at least half ink) are grouped into 8-connected components. Components holding
/// at least 2% of the ink (and always the largest) make the core box; a smaller one joins only
/// when it lies within a quarter of the core's longer side of it, as a diacritic does and a
/// speck in the margin of a scan does not.
struct InkBox: Equatable {
    var x0: Int, y0: Int, x1: Int, y1: Int

    var width: Int { x1 - x0 + 1 }
    var height: Int { y1 - y0 + 1 }

    /// The box of `image`'s ink, given which gray levels are ink; nil when there is none.
    static func find(in image: GrayImage, isInk: [Bool]) -> InkBox? {
        let components = Self.components(of: image, isInk: isInk)
        guard let largest = components.max(by: { $0.size < $1.size }) else { return nil }
        let total = components.reduce(0) { $0 + $1.size }
        var core = largest.box
        for c in components where c.size * 50 >= total { core = core.union(c.box) }
        // Small components near the core join it; repeat while the core grows (a row of dots).
        var pending = components.filter { $0.size * 50 < total }
        var grew = true
        while grew && !pending.isEmpty {
            grew = false
            let reach = max(core.width, core.height) / 4
            pending.removeAll { c in
                guard c.box.distance(to: core) <= reach else { return false }
                core = core.union(c.box)
                grew = true
                return true
            }
        }
        return core
    }

    func union(_ other: InkBox) -> InkBox {
        InkBox(x0: min(x0, other.x0), y0: min(y0, other.y0), x1: max(x1, other.x1), y1: max(y1, other.y1))
    }

    /// Chebyshev distance between two boxes in pixels (0 when they touch or overlap).
    func distance(to other: InkBox) -> Int {
        let dx = max(0, max(other.x0 - x1, x0 - other.x1) - 1)
        let dy = max(0, max(other.y0 - y1, y0 - other.y1) - 1)
        return max(dx, dy)
    }

    /// The 8-connected components of the ink pixels: their pixel counts and boxes.
    private static func components(of image: GrayImage, isInk: [Bool]) -> [(size: Int, box: InkBox)] {
        let w = image.width, h = image.height
        var seen = [Bool](repeating: false, count: w * h)
        var found = [(size: Int, box: InkBox)]()
        var stack = [Int]()
        image.pixels.withUnsafeBufferPointer { px in
            isInk.withUnsafeBufferPointer { inky in
                seen.withUnsafeMutableBufferPointer { seen in
                    for start in 0..<(w * h) where !seen[start] && inky[Int(px[start])] {
                        seen[start] = true
                        stack.append(start)
                        var size = 0
                        var box = InkBox(x0: start % w, y0: start / w, x1: start % w, y1: start / w)
                        while let p = stack.popLast() {
                            size += 1
                            let x = p % w, y = p / w
                            box = InkBox(x0: min(box.x0, x), y0: min(box.y0, y), x1: max(box.x1, x), y1: max(box.y1, y))
                            for ny in max(0, y - 1)...min(h - 1, y + 1) {
                                for nx in max(0, x - 1)...min(w - 1, x + 1) {
                                    let q = ny * w + nx
                                    if !seen[q] && inky[Int(px[q])] { seen[q] = true; stack.append(q) }
                                }
                            }
                        }
                        found.append((size, box))
                    }
                }
            }
        }
        return found
    }
}
