import Foundation
import Hummingbird
import Logging
import NIOPosix

/// The HTTP API and the page over one model and one collection.
///
/// ```swift
/// let server = GlyphServer(embedder: Embedder(model: model), collection: collection, info: info)
/// try await server.application(host: "127.0.0.1", port: 8080).runService()
/// ```
public struct GlyphServer: Sendable {
    public let embedder: Embedder
    public let collection: any GlyphCollection
    public let info: ModelInfo
    public let limits: ServeLimits
    public let logger: Logger

    public init(embedder: Embedder, collection: any GlyphCollection, info: ModelInfo,
                limits: ServeLimits = ServeLimits(), logger: Logger = Logger(label: "glyphsim.serve")) throws {
        guard collection.dimension == embedder.dimension else {
            throw ServeError.collection("the collection holds embeddings of \(collection.dimension) values, the model makes \(embedder.dimension)")
        }
        self.embedder = embedder
        self.collection = collection
        self.info = info
        self.limits = limits
        self.logger = logger
    }

    /// The application bound to `host:port`, with `eventLoopThreads` threads for the network.
    public func application(host: String, port: Int, eventLoopThreads: Int = 1,
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(),
                    configuration: .init(address: .hostname(host, port: port), serverName: "glyphsim"),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                    eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup(numberOfThreads: max(1, eventLoopThreads))),
                    logger: logger)
    }

    /// Every route, behind the request log and the JSON error middleware.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestLogMiddleware(logger: logger))
        router.add(middleware: JSONErrorMiddleware())
        router.get("/") { _, _ in Page.response() }
        router.get("/v1/health") { _, _ in
            try JSONBody.response(HealthResponse(status: "ok", entries: collection.count))
        }
        router.get("/v1/model") { _, _ in try JSONBody.response(info) }
        router.post("/v1/search") { request, _ in try await search(request) }
        router.post("/v1/compare") { request, _ in try await compare(request) }
        router.post("/v1/embed") { request, _ in try await embed(request) }
        router.get("/v1/entries/:id/image") { _, context in try entryImage(context.parameters.get("id")) }
        refuseOtherMethods(router, [("/", .get), ("/v1/health", .get), ("/v1/model", .get), ("/v1/search", .post),
                                    ("/v1/compare", .post), ("/v1/embed", .post), ("/v1/entries/:id/image", .get)])
        return router
    }

    // MARK: Routes

    func search(_ request: Request) async throws -> Response {
        let upload = try await Upload.read(request, limits: limits)
        let k = try parseK(upload.fields["k"] ?? request.uri.queryParameters.get("k"))
        let query = try await embedder.embed(try embedder.prepare(try upload.image("image", route: "/v1/search"),
                                                                  name: "the uploaded image", limits: limits))
        let neighbours = try collection.nearest(to: query, k: k)
        let results = neighbours.enumerated().map { rank, n in
            SearchResult(rank: rank + 1, id: n.entry.id, file: n.entry.file, label: n.entry.label, distance: n.distance,
                         similarity: similarity(n.distance), isSame: embedder.threshold.map { n.distance <= $0 },
                         imageUrl: "/v1/entries/\(n.entry.id)/image")
        }
        return try JSONBody.response(SearchResponse(results: results, k: k, threshold: embedder.threshold,
                                                    collectionSize: collection.count))
    }

    func compare(_ request: Request) async throws -> Response {
        let upload = try await Upload.read(request, limits: limits, rawImage: false)
        let a = try embedder.prepare(try upload.image("a", route: "/v1/compare"), name: "image a", limits: limits)
        let b = try embedder.prepare(try upload.image("b", route: "/v1/compare"), name: "image b", limits: limits)
        async let ea = embedder.embed(a)
        async let eb = embedder.embed(b)
        let (x, y) = try await (ea, eb)
        let d = zip(x, y).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let same = embedder.threshold.map { d <= $0 }
        return try JSONBody.response(CompareResponse(distance: d, similarity: similarity(d), isSame: same,
                                                     verdict: same.map { $0 ? "same" : "different" },
                                                     threshold: embedder.threshold))
    }

    func embed(_ request: Request) async throws -> Response {
        let upload = try await Upload.read(request, limits: limits)
        let e = try await embedder.embed(try embedder.prepare(try upload.image("image", route: "/v1/embed"),
                                                              name: "the uploaded image", limits: limits))
        return try JSONBody.response(EmbedResponse(embedding: e, dimension: e.count))
    }

    /// An entry's image, by id only: the id indexes the collection, never the file system.
    func entryImage(_ idText: String?) throws -> Response {
        guard let idText, let id = Int(idText), id >= 0 else {
            throw ServeError.badRequest("an entry id is a whole number from 0 to \(collection.count - 1), not '\(idText ?? "")'")
        }
        guard let image = try collection.image(of: id) else {
            throw ServeError.notFound("no entry \(id): the collection has \(collection.count) entries, ids 0 to \(collection.count - 1)")
        }
        return Response(status: .ok,
                        headers: [.contentType: image.contentType, .cacheControl: "public, max-age=86400"],
                        body: .init(byteBuffer: ByteBuffer(bytes: image.bytes)))
    }

    func parseK(_ text: String?) throws -> Int {
        guard let text else { return limits.defaultK }
        guard let k = Int(text.trimmingCharacters(in: .whitespaces)), (1...limits.maxK).contains(k) else {
            throw ServeError.badRequest("k must be a whole number from 1 to \(limits.maxK), not '\(text.prefix(40))'")
        }
        return k
    }

    /// Gives every route a 405 with an Allow header for the methods it does not take
    /// (the router alone would answer 404, which hides a client's real mistake).
    private func refuseOtherMethods(_ router: Router<BasicRequestContext>, _ routes: [(String, HTTPRequest.Method)]) {
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch]
        for (path, allowed) in routes {
            for method in methods where method != allowed {
                router.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw ServeError.methodNotAllowed(method: request.method.rawValue, path: request.uri.path, allowed: [allowed.rawValue])
                }
            }
        }
    }
}

/// One log line per request: method, path, status, milliseconds.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func line(_ status: Int) -> Logger.Message {
            let elapsed = ContinuousClock.now - start
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            return "\(request.method) \(request.uri.path) \(status) \(String(format: "%.1f", ms)) ms"
        }
        do {
            let response = try await next(request, context)
            logger.info(line(response.status.code))
            return response
        } catch {
            logger.info(line(500))
            throw error
        }
    }
}
