import Foundation
@testable import GlyphData
import Hummingbird
import HummingbirdTesting
import Testing
@testable import GlyphServe

/// Every route with good requests: the answers' shapes and values.
@Suite struct RouteTests {
    @Test func healthAndModel() async throws {
        let server = try ServeFixture.server()
        try await ServeFixture.application(server).test(.router) { client in
            try await client.execute(uri: "/v1/health", method: .get) { response in
                #expect(response.status == .ok)
                let json = try ServeFixture.json(response)
                #expect(json["status"] as? String == "ok")
                #expect(json["entries"] as? Int == ServeFixture.count)
            }
            try await client.execute(uri: "/v1/model", method: .get) { response in
                #expect(response.status == .ok)
                let json = try ServeFixture.json(response)
                #expect(json["preset"] as? String == "fast")
                #expect(json["image_side"] as? Int == ServeFixture.side)
                #expect(json["embedding_size"] as? Int == 16)
                #expect((json["threshold"] as? Double).map { abs($0 - 0.5) < 1e-6 } == true)
                #expect(json["collection_size"] as? Int == ServeFixture.count)
            }
        }
    }

    /// A glyph of the collection, uploaded as a PNG, finds itself first at distance ~0; the
    /// results are ranked, carry every field, and the k asked for.
    @Test func searchRawBodyFindsTheGlyphItself() async throws {
        let server = try ServeFixture.server()
        try await ServeFixture.application(server).test(.router) { client in
            for target in [0, 5, 11] {
                try await client.execute(uri: "/v1/search?k=5", method: .post, headers: [.contentType: "image/png"],
                                         body: ByteBuffer(bytes: try ServeFixture.png(target))) { response in
                    #expect(response.status == .ok)
                    let json = try ServeFixture.json(response)
                    let results = try #require(json["results"] as? [[String: Any]])
                    #expect(results.count == 5)
                    #expect(results.map { $0["rank"] as? Int } == [1, 2, 3, 4, 5])
                    #expect(results[0]["id"] as? Int == target)
                    #expect(results[0]["file"] as? String == "strokes/glyph\(target).png")
                    #expect(results[0]["label"] as? String == "Strokes/character\(target + 1)")
                    #expect(results[0]["image_url"] as? String == "/v1/entries/\(target)/image")
                    let distances = results.compactMap { $0["distance"] as? Double }
                    #expect(distances.count == 5 && distances[0] < 1e-3)
                    #expect(distances == distances.sorted())
                    #expect(results[0]["is_same"] as? Bool == true)
                    #expect((results[0]["similarity"] as? Double).map { $0 > 0.99 } == true)
                    for r in results { #expect((r["is_same"] as? Bool) == ((r["distance"] as! Double) <= 0.5)) }
                }
            }
        }
    }

    @Test func searchMultipartTakesImageAndK() async throws {
        let server = try ServeFixture.server()
        let (body, headers) = ServeFixture.multipart([("image", "query.png", "image/png", try ServeFixture.png(3)),
                                                      ("k", nil, nil, Data("3".utf8))])
        try await ServeFixture.application(server).test(.router) { client in
            try await client.execute(uri: "/v1/search", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                let results = try #require(try ServeFixture.json(response)["results"] as? [[String: Any]])
                #expect(results.count == 3)
                #expect(results.first?["id"] as? Int == 3)
            }
            // Without k: the default number of results.
            let (plain, plainHeaders) = ServeFixture.multipart([("image", "q.png", "image/png", try ServeFixture.png(3))])
            try await client.execute(uri: "/v1/search", method: .post, headers: plainHeaders, body: plain) { response in
                let results = try #require(try ServeFixture.json(response)["results"] as? [[String: Any]])
                #expect(results.count == ServeLimits().defaultK)
            }
        }
    }

    /// The search answer matches the collection's own exact search on the model's embedding.
    @Test func searchAgreesWithALoopOverTheCollection() async throws {
        let server = try ServeFixture.server()
        let query = try server.embedder.prepare(try ServeFixture.png(4), name: "q", limits: server.limits)
        let embedding = try await server.embedder.embed(query)
        let all = try server.collection.nearest(to: embedding, k: ServeFixture.count)
        #expect(all.count == ServeFixture.count)
        #expect(all.first?.entry.id == 4)
        var brute = [(Int, Float)]()
        for id in 0..<ServeFixture.count {
            let other = try await server.embedder.embed(ServeFixture.glyph(id).map { Float($0) / 255 })
            brute.append((id, zip(embedding, other).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()))
        }
        brute.sort { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        #expect(all.map(\.entry.id) == brute.map(\.0))
        for (n, b) in zip(all, brute) { #expect(abs(n.distance - b.1) < 1e-4) }
    }

    /// A JPEG upload (raw, image/jpeg) decodes through GlyphData's JPEG reader and finds its glyph.
    @Test func searchTakesJPEG() async throws {
        let server = try ServeFixture.server()
        let jpeg = try JPEGEncoder.encodeGray(ServeFixture.glyph(8).map { 255 - $0 }, width: ServeFixture.side,
                                              height: ServeFixture.side, quality: 95)
        try await ServeFixture.application(server).test(.router) { client in
            try await client.execute(uri: "/v1/search?k=1", method: .post, headers: [.contentType: "image/jpeg"],
                                     body: ByteBuffer(bytes: jpeg)) { response in
                #expect(response.status == .ok)
                let results = try #require(try ServeFixture.json(response)["results"] as? [[String: Any]])
                #expect(results.first?["id"] as? Int == 8)
            }
        }
    }

    @Test func compareSameAndDifferent() async throws {
        let server = try ServeFixture.server()
        try await ServeFixture.application(server).test(.router) { client in
            let (same, headers) = ServeFixture.multipart([("a", "a.png", "image/png", try ServeFixture.png(2)),
                                                          ("b", "b.png", "image/png", try ServeFixture.png(2))])
            try await client.execute(uri: "/v1/compare", method: .post, headers: headers, body: same) { response in
                #expect(response.status == .ok)
                let json = try ServeFixture.json(response)
                #expect((json["distance"] as? Double).map { $0 < 1e-3 } == true)
                #expect(json["verdict"] as? String == "same")
                #expect(json["is_same"] as? Bool == true)
                #expect((json["threshold"] as? Double).map { abs($0 - 0.5) < 1e-6 } == true)
            }
            let (pair, pairHeaders) = ServeFixture.multipart([("a", "a.png", "image/png", try ServeFixture.png(0)),
                                                              ("b", "b.png", "image/png", try ServeFixture.png(6))])
            try await client.execute(uri: "/v1/compare", method: .post, headers: pairHeaders, body: pair) { response in
                let json = try ServeFixture.json(response)
                let d = try #require(json["distance"] as? Double)
                #expect(d > 0)
                #expect(json["verdict"] as? String == (d <= 0.5 ? "same" : "different"))
                #expect((json["similarity"] as? Double).map { abs($0 - exp(-d)) < 1e-4 } == true)
            }
        }
    }

    /// A model without a threshold gives no verdict: the keys are there, as JSON null.
    @Test func noThresholdMeansNullVerdicts() async throws {
        let server = try ServeFixture.server(threshold: nil)
        try await ServeFixture.application(server).test(.router) { client in
            try await client.execute(uri: "/v1/search?k=2", method: .post, headers: [.contentType: "image/png"],
                                     body: ByteBuffer(bytes: try ServeFixture.png(0))) { response in
                let json = try ServeFixture.json(response)
                #expect(json["threshold"] is NSNull)
                let results = try #require(json["results"] as? [[String: Any]])
                #expect(results.allSatisfy { $0["is_same"] is NSNull })
            }
            let (pair, headers) = ServeFixture.multipart([("a", "a.png", "image/png", try ServeFixture.png(0)),
                                                          ("b", "b.png", "image/png", try ServeFixture.png(1))])
            try await client.execute(uri: "/v1/compare", method: .post, headers: headers, body: pair) { response in
                let json = try ServeFixture.json(response)
                #expect(json["verdict"] is NSNull && json["is_same"] is NSNull)
                #expect(json["distance"] is Double)
            }
        }
    }

    @Test func embedGivesTheModelsEmbedding() async throws {
        let server = try ServeFixture.server()
        let expected = try await server.embedder.embed(ServeFixture.glyph(9).map { Float($0) / 255 })
        try await ServeFixture.application(server).test(.router) { client in
            try await client.execute(uri: "/v1/embed", method: .post, headers: [.contentType: "image/png"],
                                     body: ByteBuffer(bytes: try ServeFixture.png(9))) { response in
                #expect(response.status == .ok)
                let json = try ServeFixture.json(response)
                let embedding = try #require(json["embedding"] as? [Double])
                #expect(json["dimension"] as? Int == 16)
                #expect(embedding.count == 16)
                for (a, b) in zip(embedding, expected) { #expect(abs(a - Double(b)) < 1e-5) }
            }
        }
    }

    /// A thumbnail is the entry's pixels as a PNG (ink dark on white).
    @Test func entryImageIsTheEntrysPixels() async throws {
        let server = try ServeFixture.server()
        try await ServeFixture.application(server).test(.router) { client in
            try await client.execute(uri: "/v1/entries/7/image", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                let (w, h, gray) = try PNGDecoder.decodeGray8(Data(buffer: response.body), file: "thumbnail")
                #expect(w == ServeFixture.side && h == ServeFixture.side)
                #expect(gray == ServeFixture.glyph(7).map { 255 - $0 })
            }
        }
    }

    /// The page is served whole, self-contained: it names no other host.
    @Test func pageIsSelfContained() async throws {
        let server = try ServeFixture.server()
        try await ServeFixture.application(server).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                let html = String(buffer: response.body)
                #expect(html.contains("<canvas id=\"draw-canvas\""))
                #expect(html.contains("/v1/search"))
                #expect(!html.contains("/*STYLE*/") && !html.contains("/*SCRIPT*/"))
                #expect(!html.contains("http://") && !html.contains("https://"))
            }
        }
    }
}
