import Foundation
import HTTPTypes
import Hummingbird
import MultipartKit
import NIOCore

/// What a client uploaded to an image route: named images and text fields.
///
/// Two forms are accepted: a raw body whose Content-Type is image/png or image/jpeg (one
/// image, named `image`), or a multipart/form-data body (images and fields by part name).
struct Upload {
    var images: [String: Data] = [:]
    var fields: [String: String] = [:]

    static let imageTypes: Set<String> = ["image/png", "image/jpeg", "image/jpg"]

    /// Reads the request body, refusing it unread when its declared length is over the limit.
    /// `rawImage` false: only a multipart form is taken (a route that needs two images).
    static func read(_ request: Request, limits: ServeLimits, rawImage: Bool = true) async throws -> Upload {
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > limits.maxBodyBytes { throw ServeError.bodyTooLarge(limit: limits.maxBodyBytes) }
        if mediaType.isEmpty && (declared ?? 0) == 0 {
            throw ServeError.badRequest("the request has no body: send an image (image/png or image/jpeg) or a multipart form")
        }
        guard (rawImage && imageTypes.contains(mediaType)) || mediaType == "multipart/form-data" else {
            let shown = contentType.isEmpty ? "(none)" : String(contentType.prefix(80))
            throw ServeError.unsupportedMediaType(rawImage
                ? "Content-Type '\(shown)' is not taken: send image/png, image/jpeg or multipart/form-data"
                : "Content-Type '\(shown)' is not taken: send multipart/form-data with two images, 'a' and 'b'")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw ServeError.bodyTooLarge(limit: limits.maxBodyBytes)
        }
        guard body.readableBytes > 0 else {
            throw ServeError.badRequest("the request body is empty: send an image")
        }
        if mediaType != "multipart/form-data" {
            return Upload(images: ["image": Data(buffer: body)])
        }
        return try multipart(body, contentType: contentType)
    }

    /// Splits a multipart/form-data body into its parts: a part with a file name or an image
    /// content type is an image, any other part a text field.
    static func multipart(_ body: ByteBuffer, contentType: String) throws -> Upload {
        guard let boundary = parameter("boundary", of: contentType), !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw ServeError.badRequest("multipart/form-data without a usable boundary parameter in its Content-Type")
        }
        var parts: [MultipartPart] = []
        var headers = HTTPHeaders()
        var partBody = ByteBuffer()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers.add(name: name, value: value) }
        parser.onBody = { chunk in partBody.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append(MultipartPart(headers: headers, body: partBody))
            headers = HTTPHeaders()
            partBody = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw ServeError.badRequest("the multipart body cannot be parsed (\(error)); check its boundary")
        }
        guard !parts.isEmpty else { throw ServeError.badRequest("the multipart body holds no parts") }
        var upload = Upload()
        for part in parts {
            guard let name = part.name, !name.isEmpty else {
                throw ServeError.badRequest("a multipart part has no name in its Content-Disposition")
            }
            guard upload.images[name] == nil, upload.fields[name] == nil else {
                throw ServeError.badRequest("the multipart field '\(name)' appears twice")
            }
            let disposition = part.headers.first(name: "Content-Disposition") ?? ""
            let partType = (part.headers.first(name: "Content-Type") ?? "").lowercased()
            if disposition.contains("filename") || partType.hasPrefix("image/") || partType == "application/octet-stream" {
                upload.images[name] = Data(buffer: part.body)
            } else {
                upload.fields[name] = String(buffer: part.body)
            }
        }
        return upload
    }

    /// A parameter of a header value such as `multipart/form-data; boundary="abc"`.
    static func parameter(_ name: String, of header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let kv = piece.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = kv[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    /// The image named `name`, or a 400 saying which field is missing.
    func image(_ name: String, route: String) throws -> Data {
        guard let data = images[name] else {
            let given = (Array(images.keys) + Array(fields.keys)).sorted()
            throw ServeError.badRequest("\(route) needs an image in the field '\(name)'"
                + (given.isEmpty ? "" : " (the form has \(given.joined(separator: ", ")))"))
        }
        guard !data.isEmpty else { throw ServeError.badRequest("the image in the field '\(name)' is empty") }
        return data
    }
}
