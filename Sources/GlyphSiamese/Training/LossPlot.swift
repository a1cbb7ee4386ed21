import Foundation

/// Draws the training loss against wall-clock time as a self-contained SVG (the course
/// report's Figure 4), with the validation one-shot accuracy of each epoch on a second axis.
public enum LossPlot {
    public static func svg(rows: [LogRow], title: String) -> String {
        let steps = rows.filter { $0.kind == "step" }
        let epochs = rows.filter { $0.kind == "epoch" }
        let width = 720.0, height = 420.0
        let left = 70.0, right = 70.0, top = 40.0, bottom = 55.0
        let plotW = width - left - right, plotH = height - top - bottom
        let maxT = max(steps.map(\.wallTime).max() ?? 1, epochs.map(\.wallTime).max() ?? 1, 1e-9)
        let maxLoss = max(steps.map(\.loss).max() ?? 1, 1e-9)
        func x(_ t: Double) -> Double { left + t / maxT * plotW }
        func yLoss(_ l: Double) -> Double { top + plotH - l / maxLoss * plotH }
        func yAcc(_ a: Double) -> Double { top + plotH - a * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
        <rect x="\(f(left))" y="\(f(top))" width="\(f(plotW))" height="\(f(plotH))" fill="none" stroke="#888"/>

        """
        for i in 0...5 {
            let t = maxT * Double(i) / 5, l = maxLoss * Double(i) / 5
            s += "<line x1=\"\(f(x(t)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(x(t)))\" y2=\"\(f(top + plotH + 5))\" stroke=\"#888\"/>"
            s += "<text x=\"\(f(x(t)))\" y=\"\(f(top + plotH + 19))\" text-anchor=\"middle\">\(String(format: "%.0f", t))</text>\n"
            s += "<line x1=\"\(f(left - 5))\" y1=\"\(f(yLoss(l)))\" x2=\"\(f(left))\" y2=\"\(f(yLoss(l)))\" stroke=\"#888\"/>"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(yLoss(l) + 4))\" text-anchor=\"end\">\(String(format: "%.3g", l))</text>\n"
        }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">wall time (s)</text>\n"
        s += "<text transform=\"translate(18 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" fill=\"#1f77b4\">training loss</text>\n"
        if !steps.isEmpty {
            let points = steps.map { "\(f(x($0.wallTime))),\(f(yLoss($0.loss)))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
        }
        let accuracies = epochs.compactMap { row in row.validationOneShotAccuracy.map { (row.wallTime, $0) } }
        if !accuracies.isEmpty {
            for i in 0...5 {
                let a = Double(i) / 5
                s += "<text x=\"\(f(left + plotW + 8))\" y=\"\(f(yAcc(a) + 4))\" fill=\"#d62728\">\(String(format: "%.1f", a))</text>\n"
            }
            s += "<text transform=\"translate(\(f(width - 18)) \(f(top + plotH / 2))) rotate(90)\" text-anchor=\"middle\" fill=\"#d62728\">validation 20-way one-shot accuracy</text>\n"
            let points = accuracies.map { "\(f(x($0.0))),\(f(yAcc($0.1)))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\" points=\"\(points)\"/>\n"
            for (t, a) in accuracies {
                s += "<circle cx=\"\(f(x(t)))\" cy=\"\(f(yAcc(a)))\" r=\"3\" fill=\"#d62728\"/>\n"
            }
        }
        s += "</svg>\n"
        return s
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
