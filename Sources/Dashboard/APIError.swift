import HTTPTypes
import Hummingbird

/// A request the dashboard refuses, answered as JSON `{"error": "<one line>"}` with its status.
struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    var status: HTTPResponse.Status
    var description: String

    init(_ status: HTTPResponse.Status, _ description: String) {
        self.status = status
        self.description = description
    }

    static func badRequest(_ reason: String) -> APIError { APIError(.badRequest, reason) }
    static func notFound(_ reason: String) -> APIError { APIError(.notFound, reason) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody.response(["error": description], status: status)
    }
}

/// JSON responses: sorted keys, no caching.
enum JSONBody {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        response(text: JSONText.encode(value), status: status)
    }

    /// Pre-encoded JSON text.
    static func response(text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static let headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
}
