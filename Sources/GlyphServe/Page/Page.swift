import Hummingbird

/// The page at `GET /`: one self-contained HTML document, its style and script inline,
/// compiled into the binary. It loads nothing from the network (its Content-Security-Policy
/// forbids it), so it works offline and behind any firewall.
enum Page {
    static let html: String = PageMarkup.template
        .replacingOccurrences(of: "/*STYLE*/", with: PageStyle.css)
        .replacingOccurrences(of: "/*SCRIPT*/", with: PageScript.js)

    static let policy = "default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'; "
        + "script-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'"

    static func response() -> Response {
        Response(status: .ok,
                 headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: policy,
                           .cacheControl: "no-cache"],
                 body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
