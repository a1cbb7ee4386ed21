import Foundation
import HTTPTypes
import Hummingbird

/// What can go wrong serving: setting the server up (`collection`), or one request (the rest,
/// each becoming a 4xx response whose JSON body `{"error": "..."}` says what is wrong).
public enum ServeError: Error, CustomStringConvertible {
    /// The collection or model cannot be served (at start-up).
    case collection(String)
    /// 400: a parameter or body that is malformed.
    case badRequest(String)
    /// 404: no such route or entry.
    case notFound(String)
    /// 405: the route exists but not with this method.
    case methodNotAllowed(method: String, path: String, allowed: [String])
    /// 413: the body is over the limit.
    case bodyTooLarge(limit: Int)
    /// 415: a body of a type the route does not take.
    case unsupportedMediaType(String)
    /// 422: an image that cannot be read (not an image, corrupt, too large).
    case unreadableImage(String)

    public var description: String {
        switch self {
        case let .collection(m), let .badRequest(m), let .notFound(m), let .unsupportedMediaType(m), let .unreadableImage(m):
            return m
        case let .methodNotAllowed(method, path, allowed):
            return "\(path) does not take \(method); it takes \(allowed.joined(separator: ", "))"
        case let .bodyTooLarge(limit):
            return "the request body is larger than the limit of \(ByteCount.text(limit))"
        }
    }

    var status: HTTPResponse.Status {
        switch self {
        case .collection: .internalServerError
        case .badRequest: .badRequest
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .unreadableImage: .unprocessableContent
        }
    }

    var extraHeaders: HTTPFields {
        if case let .methodNotAllowed(_, _, allowed) = self { return [.allow: allowed.joined(separator: ", ")] }
        return [:]
    }
}

/// Turns every error a route throws (ours, Hummingbird's, a reader's) into a JSON response, so
/// a client always gets `{"error": "..."}` and the logging middleware sees the final status.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServeError {
            return JSONBody.error(error.description, status: error.status, headers: error.extraHeaders)
        } catch let error as HTTPError {
            let message = error.body ?? Self.message(for: error.status, path: request.uri.path)
            return JSONBody.error(message, status: error.status)
        } catch let error as any HTTPResponseError {
            return JSONBody.error(Self.message(for: error.status, path: request.uri.path), status: error.status)
        } catch {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            return JSONBody.error("internal error: \(error)", status: .internalServerError)
        }
    }

    static func message(for status: HTTPResponse.Status, path: String) -> String {
        switch status {
        case .notFound: "no such route: \(path) (the API is under /v1, the page at /)"
        case .contentTooLarge: "the request body is too large"
        default: status.reasonPhrase
        }
    }
}

/// JSON bodies as the API writes them: snake_case keys, finite numbers only.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ message: String, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        struct Body: Encodable { var error: String }
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        let data = (try? encoder.encode(Body(error: message))) ?? Data(#"{"error":"internal error"}"#.utf8)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Byte counts for messages: "8 MiB", "512 KiB", "300 bytes".
enum ByteCount {
    static func text(_ n: Int) -> String {
        if n >= 1 << 20, n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n >= 1 << 10, n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n) bytes"
    }
}
