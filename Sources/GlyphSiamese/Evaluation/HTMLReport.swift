import Foundation
import GlyphData

/// One self-contained HTML page a person would rather look at than a table in a terminal:
/// Table 1, the loss curve, the ROC curve, the distance histograms with the threshold, the
/// one-shot figures and the hardest mistakes drawn as the image pairs themselves.
/// Everything is inline (SVG), so the file can be mailed or opened offline.
public enum HTMLReport {
    public static func make(result r: EvaluationReport, model: SiameseModel, splits: DataSplits, runFolder: URL) throws -> String {
        let test = splits.test.side == model.config.imageSize ? splits.test : splits.test.resized(to: model.config.imageSize)
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>GlyphSim evaluation</title>
        <style>
        body { font-family: sans-serif; max-width: 980px; margin: 2em auto; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #bbb; padding: 4px 10px; text-align: right; }
        th:first-child, td:first-child { text-align: left; } .pair { display: inline-block; margin: 6px; text-align: center; font-size: 12px; }
        .pair svg { border: 1px solid #ccc; margin: 1px; }
        </style></head><body>
        <h1>GlyphSim evaluation</h1>
        <p>Model: \(escape(r.model)). Decision threshold on the embedding distance: \(format(r.threshold)), chosen on validation characters only.</p>
        <h2>Table 1: pair verification</h2>
        <p>For every character, 5 pairs of two different drawings and 5 pairs with another character.</p>
        \(verificationTable(r.verification, courseReport: true))
        <p>Test split: ROC AUC \(format(r.verification.rocAUC)), equal error rate \(format(r.verification.equalErrorRate)).</p>
        <h3>Harder variant: different pairs from the same alphabet</h3>
        \(verificationTable(r.verificationSameAlphabet, courseReport: false))
        <h2>One-shot classification (evaluation set)</h2>
        <table><tr><th>task</th><th>accuracy</th><th>95% interval</th><th>trials</th></tr>

        """
        for key in r.oneshot.keys.sorted() {
            let e = r.oneshot[key]!
            html += "<tr><td>\(key)</td><td>\(String(format: "%.2f%%", 100 * e.accuracy))</td><td>± \(String(format: "%.2f", 100 * e.ci95))</td><td>\(e.trials)</td></tr>\n"
        }
        html += "</table>\n"
        if let plot = try? String(contentsOf: runFolder.appendingPathComponent(RunFolder.lossPlot), encoding: .utf8) {
            html += "<h2>Training loss against time</h2>\n" + plot
        }
        html += "<h2>ROC curve (test split)</h2>\n" + rocSVG(rocCurve(distances: r.testDistances, same: r.testSame))
        html += "<h2>Distances of same and different pairs (test split)</h2>\n"
            + histogramSVG(distances: r.testDistances, same: r.testSame, threshold: r.threshold)
        html += "<h2>Hardest mistakes (test split)</h2>\n" + mistakes(r, test: test)
        html += "</body></html>\n"
        return html
    }

    static func verificationTable(_ v: EvaluationReport.Verification, courseReport: Bool) -> String {
        let c = EvaluationReport.courseReportAccuracy
        let courseFigures = [c.train, c.test, c.trainAndTest]
        var s = "<table><tr><th>split</th><th>True</th><th>False</th><th>Accuracy</th>\(courseReport ? "<th>course report</th>" : "")</tr>\n"
        for (i, (name, c)) in [("Train split", v.train), ("Test split", v.test), ("Train and test split", v.trainAndTest)].enumerated() {
            s += "<tr><td>\(name)</td><td>\(c.truePredictions)</td><td>\(c.falsePredictions)</td><td>\(String(format: "%.4f", c.accuracy))</td>"
            s += courseReport ? "<td>\(courseFigures[i])</td></tr>\n" : "</tr>\n"
        }
        return s + "</table>"
    }

    static func rocSVG(_ points: [(falsePositiveRate: Double, truePositiveRate: Double)]) -> String {
        let size = 320.0, pad = 40.0
        let path = points.map { String(format: "%.1f,%.1f", pad + $0.falsePositiveRate * size, pad + size - $0.truePositiveRate * size) }
            .joined(separator: " ")
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(size + 2 * pad))" height="\(Int(size + 2 * pad))" font-size="12">
        <rect x="\(pad)" y="\(pad)" width="\(size)" height="\(size)" fill="none" stroke="#888"/>
        <line x1="\(pad)" y1="\(pad + size)" x2="\(pad + size)" y2="\(pad)" stroke="#ccc" stroke-dasharray="4 3"/>
        <polyline fill="none" stroke="#1f77b4" stroke-width="2" points="\(path)"/>
        <text x="\(pad + size / 2)" y="\(pad + size + 30)" text-anchor="middle">false positive rate</text>
        <text transform="translate(14 \(pad + size / 2)) rotate(-90)" text-anchor="middle">true positive rate</text>
        </svg>

        """
    }

    static func histogramSVG(distances: [Float], same: [Bool], threshold: Float) -> String {
        let bins = 40
        let maxD = Double(max(distances.max() ?? 1, threshold, 1e-6)) * 1.001
        var sameCounts = [Int](repeating: 0, count: bins), differentCounts = [Int](repeating: 0, count: bins)
        for (d, s) in zip(distances, same) {
            let b = min(bins - 1, Int(Double(d) / maxD * Double(bins)))
            if s { sameCounts[b] += 1 } else { differentCounts[b] += 1 }
        }
        let width = 640.0, height = 240.0, pad = 40.0
        let top = Double(max(sameCounts.max() ?? 1, differentCounts.max() ?? 1, 1))
        let bw = (width - 2 * pad) / Double(bins)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height + 40))\" font-size=\"12\">\n"
        for b in 0..<bins {
            for (counts, colour, offset) in [(sameCounts, "#2ca02c", 0.0), (differentCounts, "#d62728", bw / 2)] {
                let h = Double(counts[b]) / top * (height - pad)
                s += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"",
                            pad + Double(b) * bw + offset, height - h, bw / 2, h) + " fill=\"\(colour)\" opacity=\"0.8\"/>"
            }
        }
        let tx = pad + Double(threshold) / maxD * (width - 2 * pad)
        s += String(format: "\n<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\" stroke-dasharray=\"5 3\"/>", tx, tx, height)
        s += String(format: "<text x=\"%.1f\" y=\"10\">threshold %.3f</text>", tx + 4, threshold)
        s += "<line x1=\"\(pad)\" y1=\"\(height)\" x2=\"\(width - pad)\" y2=\"\(height)\" stroke=\"#888\"/>"
        s += String(format: "<text x=\"%.1f\" y=\"%.1f\">0</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>",
                    pad, height + 16, width - pad, height + 16, maxD)
        s += "<text x=\"\(width / 2)\" y=\"\(height + 34)\" text-anchor=\"middle\">embedding distance: <tspan fill=\"#2ca02c\">same</tspan> / <tspan fill=\"#d62728\">different</tspan></text>\n</svg>\n"
        return s
    }

    /// The 8 same pairs with the largest distances and the 8 different pairs with the smallest.
    static func mistakes(_ r: EvaluationReport, test: GlyphDataset) -> String {
        let indexed = Array(zip(r.testDistances.indices, r.testDistances))
        let sameWorst = indexed.filter { r.testSame[$0.0] && $0.1 > r.threshold }.sorted { $0.1 > $1.1 }.prefix(8)
        let differentWorst = indexed.filter { !r.testSame[$0.0] && $0.1 <= r.threshold }.sorted { $0.1 < $1.1 }.prefix(8)
        var s = "<h3>Same character, called different (\(r.testSame.indices.filter { r.testSame[$0] && r.testDistances[$0] > r.threshold }.count) in all)</h3>\n"
        for (i, d) in sameWorst { s += pairHTML(r.testPairs[i], distance: d, test: test) }
        s += "<h3>Different characters, called same (\(r.testSame.indices.filter { !r.testSame[$0] && r.testDistances[$0] <= r.threshold }.count) in all)</h3>\n"
        for (i, d) in differentWorst { s += pairHTML(r.testPairs[i], distance: d, test: test) }
        return s
    }

    static func pairHTML(_ pair: LabeledPair, distance: Float, test: GlyphDataset) -> String {
        let a = test.characters[test.labels[pair.first]].name, b = test.characters[test.labels[pair.second]].name
        return "<div class=\"pair\">\(glyphSVG(test, pair.first))\(glyphSVG(test, pair.second))<br>d = \(format(distance))<br>\(escape(a))<br>\(escape(b))</div>\n"
    }

    /// A glyph as an SVG of grey squares (ink dark on white), scaled to 84 pixels.
    static func glyphSVG(_ dataset: GlyphDataset, _ index: Int) -> String {
        let side = dataset.side
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"84\" height=\"84\" viewBox=\"0 0 \(side) \(side)\" shape-rendering=\"crispEdges\"><rect width=\"\(side)\" height=\"\(side)\" fill=\"white\"/>"
        let base = index * side * side
        for y in 0..<side {
            for x in 0..<side {
                let v = dataset.ink[base + y * side + x]
                if v > 20 { s += "<rect x=\"\(x)\" y=\"\(y)\" width=\"1\" height=\"1\" fill=\"rgb(\(255 - Int(v)),\(255 - Int(v)),\(255 - Int(v)))\"/>" }
            }
        }
        return s + "</svg>"
    }

    static func format(_ v: Float) -> String { String(format: "%.4f", v) }
    static func format(_ v: Double) -> String { String(format: "%.4f", v) }
    static func escape(_ t: String) -> String { LossPlot.escape(t) }
}
