import Foundation
import GlyphData
import Hummingbird
import HummingbirdTesting
import Testing
@testable import GlyphServe

/// Hostile and mistaken requests: each gets a 4xx whose JSON body says what is wrong, and
/// the server answers a good request afterwards.
@Suite struct BadRequestTests {
    /// Sends a request and checks its status and that the body is `{"error": "..."}` whose
    /// message contains `mentions`.
    func expectError(_ client: some TestClientProtocol, _ uri: String, _ method: HTTPRequest.Method = .post,
                     headers: HTTPFields = [:], body: ByteBuffer? = nil, status: HTTPResponse.Status,
                     mentions: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
            #expect(response.status == status, "\(method) \(uri)", sourceLocation: sourceLocation)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
            let json = try ServeFixture.json(response)
            let message = json["error"] as? String ?? ""
            #expect(message.contains(mentions), "\(uri): '\(message)' should mention '\(mentions)'", sourceLocation: sourceLocation)
        }
    }

    func expectStillServing(_ client: some TestClientProtocol) async throws {
        try await client.execute(uri: "/v1/search?k=2", method: .post, headers: [.contentType: "image/png"],
                                 body: ByteBuffer(bytes: try ServeFixture.png(1))) { response in
            #expect(response.status == .ok)
            let results = try ServeFixture.json(response)["results"] as? [[String: Any]]
            #expect(results?.first?["id"] as? Int == 1)
        }
    }

    @Test func bodiesThatAreMissingEmptyOrNotImages() async throws {
        let server = try ServeFixture.server()
        try await ServeFixture.application(server).test(.router) { client in
            for route in ["/v1/search", "/v1/embed"] {
                try await expectError(client, route, status: .badRequest, mentions: "no body")
                try await expectError(client, route, headers: [.contentType: "image/png"], body: ByteBuffer(),
                                      status: .badRequest, mentions: "empty")
                try await expectError(client, route, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hello"),
                                      status: .unsupportedMediaType, mentions: "text/plain")
                try await expectError(client, route, headers: [.contentType: "image/png"], body: ByteBuffer(string: "not a png at all"),
                                      status: .unprocessableContent, mentions: "the uploaded image")
                // A real PNG cut in half, and one with its pixel data flipped.
                let png = try ServeFixture.png(2)
                try await expectError(client, route, headers: [.contentType: "image/png"], body: ByteBuffer(bytes: png.prefix(png.count / 2)),
                                      status: .unprocessableContent, mentions: "PNG")
                var flipped = [UInt8](png)
                for i in 40..<(flipped.count - 12) { flipped[i] ^= 0x5A }
                try await expectError(client, route, headers: [.contentType: "image/png"], body: ByteBuffer(bytes: flipped),
                                      status: .unprocessableContent, mentions: "PNG")
            }
            try await expectStillServing(client)
        }
    }

    /// A small PNG that declares a huge image is refused from its header, before decoding.
    @Test func hugeDeclaredImageIsRefusedBeforeDecoding() async throws {
        let server = try ServeFixture.server()
        var bytes = [UInt8](try ServeFixture.png(0))
        // IHDR width and height (bytes 16..<24) set to 1,000,000 x 1; the CRC is left wrong on purpose.
        bytes.replaceSubrange(16..<24, with: [0x00, 0x0F, 0x42, 0x40, 0x00, 0x00, 0x00, 0x01])
        let png = bytes
        try await ServeFixture.application(server).test(.router) { client in
            try await expectError(client, "/v1/search", headers: [.contentType: "image/png"], body: ByteBuffer(bytes: png),
                                  status: .unprocessableContent, mentions: "1000000x1")
            try await expectStillServing(client)
        }
    }

    /// 100 MB declared and sent: 413 from the Content-Length alone. A body over the limit
    /// without a Content-Length is stopped at the limit while it streams in.
    @Test func bodiesOverTheLimit() async throws {
        let server = try ServeFixture.server()
        let limit = server.limits.maxBodyBytes
        let hundredMB = ByteBuffer(repeating: 0x41, count: 100 << 20)
        try await ServeFixture.application(server).test(.router) { client in
            try await expectError(client, "/v1/search", headers: [.contentType: "image/png", .contentLength: String(100 << 20)],
                                  body: hundredMB, status: .contentTooLarge, mentions: ByteCount.text(limit))
            try await expectError(client, "/v1/compare",
                                  headers: [.contentType: "multipart/form-data; boundary=x", .contentLength: String(100 << 20)],
                                  body: hundredMB, status: .contentTooLarge, mentions: "limit")
            try await expectError(client, "/v1/embed", headers: [.contentType: "image/png"],
                                  body: ByteBuffer(repeating: 0x41, count: limit + 1), status: .contentTooLarge, mentions: "limit")
            try await expectStillServing(client)
        }
    }

    @Test func kOutOfRange() async throws {
        let server = try ServeFixture.server()
        let png = ByteBuffer(bytes: try ServeFixture.png(0))
        try await ServeFixture.application(server).test(.router) { client in
            for k in ["0", "1000000000", "-3", "abc", "2.5", ""] {
                try await expectError(client, "/v1/search?k=\(k)", headers: [.contentType: "image/png"], body: png,
                                      status: .badRequest, mentions: "k must be")
            }
            let (form, headers) = ServeFixture.multipart([("image", "q.png", "image/png", try ServeFixture.png(0)),
                                                          ("k", nil, nil, Data("1000000000".utf8))])
            try await expectError(client, "/v1/search", headers: headers, body: form, status: .badRequest, mentions: "k must be")
            try await expectStillServing(client)
        }
    }

    @Test func malformedMultipart() async throws {
        let server = try ServeFixture.server()
        try await ServeFixture.application(server).test(.router) { client in
            // No boundary, an empty boundary, a body that does not use its boundary.
            try await expectError(client, "/v1/search", headers: [.contentType: "multipart/form-data"], body: ByteBuffer(string: "x"),
                                  status: .badRequest, mentions: "boundary")
            try await expectError(client, "/v1/search", headers: [.contentType: "multipart/form-data; boundary="], body: ByteBuffer(string: "x"),
                                  status: .badRequest, mentions: "boundary")
            try await expectError(client, "/v1/search", headers: [.contentType: "multipart/form-data; boundary=zzz"],
                                  body: ByteBuffer(string: "--other\r\n\r\nhello\r\n--other--\r\n"), status: .badRequest, mentions: "multipart")
            // A form without the image field; compare with only one image; compare with a raw image.
            let (onlyK, kHeaders) = ServeFixture.multipart([("k", nil, nil, Data("3".utf8))])
            try await expectError(client, "/v1/search", headers: kHeaders, body: onlyK, status: .badRequest, mentions: "'image'")
            let (onlyA, aHeaders) = ServeFixture.multipart([("a", "a.png", "image/png", try ServeFixture.png(0))])
            try await expectError(client, "/v1/compare", headers: aHeaders, body: onlyA, status: .badRequest, mentions: "'b'")
            try await expectError(client, "/v1/compare", headers: [.contentType: "image/png"],
                                  body: ByteBuffer(bytes: try ServeFixture.png(0)), status: .unsupportedMediaType, mentions: "multipart")
            // The same field twice.
            let (twice, twiceHeaders) = ServeFixture.multipart([("image", "a.png", "image/png", try ServeFixture.png(0)),
                                                                ("image", "b.png", "image/png", try ServeFixture.png(1))])
            try await expectError(client, "/v1/search", headers: twiceHeaders, body: twice, status: .badRequest, mentions: "twice")
            try await expectStillServing(client)
        }
    }

    /// Entry ids only: unknown ids are 404, anything that is not an id is 400 or no route,
    /// and no request reaches a file by its path.
    @Test func unknownEntriesAndPathTraversal() async throws {
        let server = try ServeFixture.server()
        try await ServeFixture.application(server).test(.router) { client in
            try await expectError(client, "/v1/entries/\(ServeFixture.count)/image", .get, status: .notFound, mentions: "no entry")
            try await expectError(client, "/v1/entries/99999999999999999999999/image", .get, status: .badRequest, mentions: "entry id")
            try await expectError(client, "/v1/entries/-1/image", .get, status: .badRequest, mentions: "entry id")
            try await expectError(client, "/v1/entries/%2e%2e%2f%2e%2e%2fetc%2fpasswd/image", .get, status: .badRequest, mentions: "entry id")
            try await expectError(client, "/v1/entries/..%2F..%2Fetc%2Fpasswd/image", .get, status: .badRequest, mentions: "entry id")
            for uri in ["/v1/entries/../../../../etc/passwd", "/v1/entries/1/../../../etc/passwd", "/../../etc/passwd",
                        "/v1/entries/1/image/../../../../etc/passwd", "/v1/nothing", "/etc/passwd"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status.code >= 400 && response.status.code < 500, "\(uri)")
                    #expect(!String(buffer: response.body).contains("root:"), "\(uri)")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(uri)")
                }
            }
            try await expectStillServing(client)
        }
    }

    @Test func wrongMethods() async throws {
        let server = try ServeFixture.server()
        try await ServeFixture.application(server).test(.router) { client in
            try await expectError(client, "/v1/search", .get, status: .methodNotAllowed, mentions: "POST")
            try await expectError(client, "/v1/compare", .put, status: .methodNotAllowed, mentions: "POST")
            try await expectError(client, "/v1/embed", .delete, status: .methodNotAllowed, mentions: "POST")
            try await expectError(client, "/v1/health", .post, status: .methodNotAllowed, mentions: "GET")
            try await expectError(client, "/v1/model", .patch, status: .methodNotAllowed, mentions: "GET")
            try await expectError(client, "/v1/entries/1/image", .post, status: .methodNotAllowed, mentions: "GET")
            try await client.execute(uri: "/v1/search", method: .get) { response in
                #expect(response.headers[.allow] == "POST")
            }
            try await expectStillServing(client)
        }
    }

    /// Many bad requests at once from parallel clients, then good ones: nothing is stuck.
    @Test func liveServerKeepsServingUnderBadRequests() async throws {
        let server = try ServeFixture.server()
        try await ServeFixture.application(server).test(.live) { client in
            for _ in 0..<3 {
                try await expectError(client, "/v1/search", headers: [.contentType: "image/png"], body: ByteBuffer(string: "junk"),
                                      status: .unprocessableContent, mentions: "the uploaded image")
                try await expectError(client, "/v1/search?k=0", headers: [.contentType: "image/png"],
                                      body: ByteBuffer(bytes: try ServeFixture.png(0)), status: .badRequest, mentions: "k must be")
                try await expectStillServing(client)
            }
        }
    }
}
