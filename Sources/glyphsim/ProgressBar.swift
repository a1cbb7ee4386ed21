import Foundation

/// A one-line progress bar on standard error, redrawn in place when standard error is a
/// terminal, and printed at most every few seconds otherwise (so logs stay short).
struct ProgressBar {
    let isTerminal = isatty(STDERR_FILENO) != 0
    var lastDraw = Date.distantPast

    mutating func draw(label: String, done: Int, total: Int, detail: String) {
        let finished = done >= total
        let now = Date()
        let interval = isTerminal ? 0.1 : 10
        guard finished || now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        let width = 24
        let filled = total > 0 ? width * min(done, total) / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\(label) [\(bar)] \(done)/\(total) \(detail)"
        if isTerminal {
            printError("\r\u{1B}[2K" + line, terminator: finished ? "\n" : "")
        } else {
            printError(line)
        }
    }
}
