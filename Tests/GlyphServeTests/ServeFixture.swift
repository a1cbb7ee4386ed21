import Foundation
import GlyphData
import GlyphSiamese
import Hummingbird
import HummingbirdTesting
import Logging
@testable import GlyphServe

/// A tiny model (initialized, not trained) and a collection of glyphs drawn here, behind the
/// real router: every route test talks to this.
enum ServeFixture {
    static let side = 28

    /// Glyph `i` of the collection: a stroke at an angle and a dot, as ink bytes (0 = paper).
    static func glyph(_ i: Int) -> [UInt8] {
        var ink = [UInt8](repeating: 0, count: side * side)
        let angle = Double(i) * .pi / 7
        for t in stride(from: -10.0, through: 10.0, by: 0.25) {
            let x = Int((14 + t * cos(angle)).rounded()), y = Int((14 + t * sin(angle)).rounded())
            for dy in -1...1 { for dx in -1...1 {
                let px = x + dx, py = y + dy
                if (0..<side).contains(px), (0..<side).contains(py) { ink[py * side + px] = 255 }
            } }
        }
        let dot = (3 + (i * 5) % 22, 3 + (i * 11) % 22)
        for dy in 0..<3 { for dx in 0..<3 { ink[(dot.1 + dy) * side + dot.0 + dx] = 200 } }
        return ink
    }

    /// The glyph as a black-on-white PNG, as a user would upload it.
    static func png(_ i: Int) throws -> Data {
        try PNGEncoder.encode(glyph(i).map { 255 - $0 }, width: side, height: side)
    }

    static let count = 12

    /// Legacy reading by default (no crop), so that an uploaded collection glyph reads exactly as stored.
    static func server(threshold: Float? = 0.5, preprocessing: Preprocessing? = nil) throws -> GlyphServer {
        let model = try SiameseModel(config: ModelConfig(preset: .fast, imageSize: side, width: 8, embeddingSize: 16,
                                                             preprocessing: preprocessing ?? .legacy(side: side)), seed: 7)
        model.threshold = threshold
        let images = (0..<count).map { glyph($0).map { Float($0) / 255 } }
        let entries = (0..<count).map { CollectionEntry(id: $0, file: "strokes/glyph\($0).png", label: "Strokes/character\($0 + 1)") }
        let collection = try InMemoryCollection(entries: entries, embeddings: try model.embed(images: images),
                                                thumbnails: .pixels(side: side, ink: (0..<count).flatMap(glyph)),
                                                summary: "\(count) test strokes")
        let embedder = Embedder(model: model)
        var logger = Logger(label: "glyphserve.test")
        logger.logLevel = .warning
        return try GlyphServer(embedder: embedder, collection: collection,
                               info: ModelInfo(checkpoint: URL(fileURLWithPath: "/tmp/test.safetensors"), runFolder: nil,
                                               embedder: embedder, collection: collection),
                               logger: logger)
    }

    static func application(_ server: GlyphServer) -> some ApplicationProtocol {
        Application(router: server.router(), logger: server.logger)
    }

    /// A multipart/form-data body with the given parts (name, file name or nil, content type, bytes).
    static func multipart(_ parts: [(name: String, filename: String?, type: String?, bytes: Data)],
                          boundary: String = "glyphsim-test-boundary") -> (ByteBuffer, HTTPFields) {
        var body = Data()
        for part in parts {
            body += Data("--\(boundary)\r\n".utf8)
            var disposition = "Content-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { disposition += "; filename=\"\(filename)\"" }
            body += Data((disposition + "\r\n").utf8)
            if let type = part.type { body += Data("Content-Type: \(type)\r\n".utf8) }
            body += Data("\r\n".utf8) + part.bytes + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return (ByteBuffer(bytes: body), [.contentType: "multipart/form-data; boundary=\(boundary)"])
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        guard let dictionary = object as? [String: Any] else { throw FixtureError.notAnObject(String(buffer: response.body)) }
        return dictionary
    }

    enum FixtureError: Error { case notAnObject(String) }
}
