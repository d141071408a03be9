import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Protects every dashboard route:
/// - security headers on every answer: a strict Content-Security-Policy (`script-src 'self'`), no sniffing, no framing;
/// - with a token: every request needs `Authorization: Bearer <token>` or the session cookie that `POST /login` sets
///   (HttpOnly, SameSite=Strict); pages are sent to `/login`, API calls get 401;
/// - changes (POST, PUT, DELETE) from a browser session carry the page's CSRF token in `X-Pairbook-CSRF`.
struct SecurityMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?
    let csrfToken: String

    static var cookieName: String { "pairbook_session" }
    static var csrfHeader: HTTPField.Name { HTTPField.Name("X-Pairbook-CSRF")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            try check(request)
            response = try await next(request, context)
        } catch let error as APIError where error.status == .unauthorized && !request.uri.path.hasPrefix("/api/") {
            response = Response(status: .seeOther, headers: [.location: "/login"])
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        for (name, value) in Self.headers where response.headers[name] == nil { response.headers[name] = value }
        return response
    }

    private func check(_ request: Request) throws {
        let path = request.uri.path
        var bearer = false
        if let token, path != "/login" {
            let header = request.headers[.authorization]
            bearer = header.map { Self.constantTimeEqual($0, "Bearer \(token)") } ?? false
            let cookie = request.cookies[Self.cookieName]?.value
            guard bearer || cookie.map({ Self.constantTimeEqual($0, Self.sessionValue(token: token)) }) ?? false else {
                throw APIError(.unauthorized, "this dashboard needs a token: log in at /login or send Authorization: Bearer <token>")
            }
        }
        if request.method != .get && request.method != .head && path != "/login" && !bearer {
            guard let sent = request.headers[Self.csrfHeader], Self.constantTimeEqual(sent, csrfToken) else {
                throw APIError(.forbidden, "missing or stale X-Pairbook-CSRF header (reload the page)")
            }
        }
    }

    /// The session cookie's value for `token`: an HMAC-SHA256 of a fixed label keyed by the token, so the token itself
    /// never goes into the cookie.
    static func sessionValue(token: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("pairbook-session".utf8), using: SymmetricKey(data: Data(token.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    static var headers: [(HTTPField.Name, String)] { securityHeaders }
}

/// Headers on every dashboard answer.
private let securityHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy,
         "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
    ]
