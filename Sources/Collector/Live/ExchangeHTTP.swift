import AsyncHTTPClient
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP side of the collector — REST pages for gap backfill and the daily dump files — on AsyncHTTPClient, with
/// the limits a process that runs for months needs against a network it does not control:
///
/// - an overall deadline per request (connect, headers and the whole body), not only a connect timeout;
/// - a size limit on every body: a REST page is held in memory up to ``Limits/rest`` (16 MiB; a page of 1,000 trades
///   is ~100 KiB), a dump is streamed to a file up to ``Limits/dump`` (1 GiB) and never held in memory;
/// - redirects are not followed: Binance's endpoints do not redirect, and a request that carries the API key must
///   not carry it to another host; a 3xx is an error naming where it pointed;
/// - `429 Too Many Requests` and `418` (an IP ban for ignoring 429s) become ``ExchangeHTTPError/rateLimited(status:retryAfter:url:)``
///   with the server's `Retry-After`, so the caller backs off instead of hammering;
/// - an API key is only sent over `https://`, or `http://` to the loopback interface (a local stand-in in tests).
enum ExchangeHTTP {
    /// A deadline and a body size limit.
    struct Limits: Sendable {
        var deadline: Duration
        var maximumBytes: Int

        static let rest = Limits(deadline: .seconds(30), maximumBytes: 16 << 20)
        static let dump = Limits(deadline: .seconds(900), maximumBytes: 1 << 30)
    }

    /// The one client: the process-wide event loops, no redirects. Never shut down (it lives as long as the process).
    static let client = HTTPClient(
        eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
        configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(30))))

    /// The default `fetch` of the REST clients: the request's URL and headers through ``get(_:headers:limits:)``
    /// (a 404 is an error here: a REST endpoint that is not there).
    static let restFetch: @Sendable (URLRequest) async throws -> Data = { request in
        guard let url = request.url else { throw BackfillError.invalidURL("") }
        let headers = (request.allHTTPHeaderFields ?? [:]).map { ($0.key, $0.value) }
        guard let data = try await get(url, headers: headers) else { throw BackfillError.httpStatus(404, url: url.absoluteString) }
        return data
    }

    /// Refuses to send `apiKey` over plain HTTP to anything but the loopback interface.
    static func checkKeyTransport(_ url: URL) throws(ExchangeHTTPError) {
        guard url.scheme?.lowercased() != "https" else { return }
        let host = url.host?.lowercased() ?? ""
        guard url.scheme?.lowercased() == "http", ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else {
            throw ExchangeHTTPError.insecureEndpoint(url.absoluteString)
        }
    }

    /// GETs `url` (with `headers`) and returns the body, or nil for 404.
    static func get(_ url: URL, headers: [(String, String)] = [], limits: Limits = .rest) async throws -> Data? {
        let response = try await send(url, headers: headers, limits: limits)
        guard let response else { return nil }
        let body = try await response.body.collect(upTo: limits.maximumBytes, url: url)
        return Data(body.readableBytesView)
    }

    /// Streams the body of `url` into `file` (replaced), at most `limits.maximumBytes`; false for 404.
    static func download(_ url: URL, to file: URL, limits: Limits = .dump) async throws -> Bool {
        guard let response = try await send(url, headers: [], limits: limits) else { return false }
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var written = 0
        for try await chunk in response.body {
            written += chunk.readableBytes
            guard written <= limits.maximumBytes else { throw ExchangeHTTPError.tooLarge(url: url.absoluteString, limit: limits.maximumBytes) }
            try handle.write(contentsOf: Data(chunk.readableBytesView))
        }
        return true
    }

    /// Sends the GET and checks the status: the response for 2xx, nil for 404, an error otherwise
    /// (``BackfillError/httpStatus(_:url:)`` for a status that is neither a rate limit nor a redirect).
    private static func send(_ url: URL, headers: [(String, String)], limits: Limits) async throws -> HTTPClientResponse? {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, deadline: .now() + TimeAmount(limits.deadline))
        switch response.status.code {
        case 200..<300:
            return response
        case 404:
            return nil
        case 429, 418:
            throw ExchangeHTTPError.rateLimited(status: Int(response.status.code), retryAfter: retryAfter(response.headers),
                                            url: url.absoluteString)
        case 300..<400:
            throw ExchangeHTTPError.redirected(url: url.absoluteString, to: response.headers.first(name: "location") ?? "?")
        default:
            throw BackfillError.httpStatus(Int(response.status.code), url: url.absoluteString)
        }
    }

    /// `Retry-After` in seconds (Binance sends seconds; an HTTP date is not used), at most a day.
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let text = headers.first(name: "retry-after"), let seconds = Int(text.trimmingCharacters(in: .whitespaces)),
              seconds >= 0 else { return nil }
        return .seconds(min(seconds, 86_400))
    }
}

extension HTTPClientResponse.Body {
    /// The whole body, or ``ExchangeHTTPError/tooLarge(url:limit:)`` past `maximumBytes` (nothing more is read).
    fileprivate func collect(upTo maximumBytes: Int, url: URL) async throws -> ByteBuffer {
        do {
            return try await collect(upTo: maximumBytes)
        } catch is NIOTooManyBytesError {
            throw ExchangeHTTPError.tooLarge(url: url.absoluteString, limit: maximumBytes)
        }
    }
}

/// Why a request to the exchange failed before its body could be used.
public enum ExchangeHTTPError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The API key would go over plain HTTP to a host other than the loopback interface.
    case insecureEndpoint(String)
    /// 429 or 418: the server asks to back off, for `retryAfter` if it says.
    case rateLimited(status: Int, retryAfter: Duration?, url: String)
    /// A 3xx: not followed.
    case redirected(url: String, to: String)
    /// The body passed the size limit (bytes); nothing more was read.
    case tooLarge(url: String, limit: Int)

    public var description: String {
        switch self {
        case .insecureEndpoint(let url):
            "refusing to send the API key over plain HTTP to \(url) (use https://; http:// only to 127.0.0.1 or localhost)"
        case .rateLimited(let status, let retryAfter, let url):
            "HTTP \(status) (rate limited) from \(url)" + (retryAfter.map { "; retry after \($0)" } ?? "")
        case .redirected(let url, let location):
            "\(url) redirects to \(location); not followed (the request may carry the API key)"
        case .tooLarge(let url, let limit):
            "the response of \(url) is larger than \(limit) bytes; stopped reading"
        }
    }
}
