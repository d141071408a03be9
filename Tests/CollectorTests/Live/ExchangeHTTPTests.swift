import Foundation
import Logging
import Market
import PairbookTestSupport
import Storage
import Testing

@testable import Collector

#if canImport(Glibc)
import Glibc
#endif

@Suite("ExchangeHTTP: REST and dump requests against a hostile server on 127.0.0.1")
struct ExchangeHTTPTests {
    @Test("a redirect is not followed, so the API key never reaches the other host")
    func redirectNotFollowed() async throws {
        try await FakeHTTPServer.withServer({ request in
            request.path == "/elsewhere" ? .init(body: Data("[]".utf8))
                : .init(status: 302, body: Data(), contentType: "text/plain", headers: ["Location": "/elsewhere"])
        }) { server in
            let client = HistoricalTradesClient(baseURL: server.baseURL, apiKey: "secret-key", minimumInterval: .zero)
            await #expect(throws: ExchangeHTTPError.self) { _ = try await client.page(symbol: "BTCUSDT", fromID: 1) }
            #expect(server.requests.count == 1, "only the first request: \(server.requests)")
            #expect(!server.requests.contains { $0.hasPrefix("/elsewhere") })
        }
    }

    @Test("429 and 418 are rate limits with the server's Retry-After", arguments: [429, 418])
    func rateLimited(status: Int) async throws {
        try await FakeHTTPServer.withServer({ _ in
            .init(status: status, body: Data("{}".utf8), headers: ["Retry-After": "7"])
        }) { server in
            let url = try #require(URL(string: server.baseURL + "/fapi/v1/aggTrades"))
            await #expect(throws: ExchangeHTTPError.rateLimited(status: status, retryAfter: .seconds(7), url: url.absoluteString)) {
                _ = try await ExchangeHTTP.get(url)
            }
        }
    }

    @Test("a body past the size limit is refused without reading it all")
    func sizeLimit() async throws {
        try await FakeHTTPServer.withServer({ _ in .init(body: Data(repeating: 0x20, count: 100_000)) }) { server in
            let url = try #require(URL(string: server.baseURL + "/big"))
            let limits = ExchangeHTTP.Limits(deadline: .seconds(20), maximumBytes: 10_000)
            await #expect(throws: ExchangeHTTPError.tooLarge(url: url.absoluteString, limit: 10_000)) {
                _ = try await ExchangeHTTP.get(url, limits: limits)
            }
            let file = try Fixtures.temporaryDirectory(prefix: "pairbook-http").appendingPathComponent("dump.zip")
            await #expect(throws: ExchangeHTTPError.tooLarge(url: url.absoluteString, limit: 10_000)) {
                _ = try await ExchangeHTTP.download(url, to: file, limits: limits)
            }
        }
    }

    @Test("a server that accepts and never answers is given up (deadline, else read timeout)")
    func deadline() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let url = try #require(URL(string: "http://127.0.0.1:\(listener.port)/fapi/v1/aggTrades"))
        let started = ContinuousClock.now
        await #expect(throws: (any Error).self) {
            _ = try await ExchangeHTTP.get(url, limits: .init(deadline: .seconds(1), maximumBytes: 1000))
        }
        // The request's deadline (1 s here) ends it; on a loaded machine it has been the client's 30 s read timeout
        // instead (seen once in CI: 32.5 s). Either way it does not hang.
        #expect(started.duration(to: .now) < .seconds(90))
    }

    @Test("the API key goes over https, or plain http to loopback only")
    func keyTransport() async throws {
        let client = HistoricalTradesClient(baseURL: "http://fapi.example.com", apiKey: "secret-key") { _ in
            Issue.record("nothing may be sent")
            return Data("[]".utf8)
        }
        await #expect(throws: ExchangeHTTPError.insecureEndpoint("http://fapi.example.com/fapi/v1/historicalTrades?symbol=BTCUSDT&fromId=1&limit=1000")) {
            _ = try await client.page(symbol: "BTCUSDT", fromID: 1)
        }
        for allowed in ["https://fapi.binance.com/x", "http://127.0.0.1:8080/x", "http://localhost:8080/x"] {
            #expect(throws: Never.self) { try ExchangeHTTP.checkKeyTransport(URL(string: allowed)!) }
        }
    }
}

/// A TCP socket on 127.0.0.1 that listens and never accepts: connections complete in the kernel's backlog and hear
/// nothing back.
private final class SilentListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 8) == 0 else { throw CancellationError() }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}

@Suite("GapBackfill backs off when the REST endpoint rate-limits it")
struct GapBackfillRateLimitTests {
    @Test("a 429 with Retry-After ends the pass and asks for that long a pause; the gap stays open for later")
    func backsOff() async throws {
        // Given an open gap and an endpoint answering 429 with Retry-After: 120
        let store = try Store.inMemory()
        let t0 = Timestamp(milliseconds: 1_721_347_200_000)
        try await store.write { tx in
            try tx.insert(StreamGap(symbol: "BTCUSDT", fromTradeID: 100, toTradeID: 200, fromTime: t0, toTime: t0 + .seconds(10),
                                    detectedAt: t0 + .minutes(1)))
        }
        try await FakeHTTPServer.withServer({ _ in .init(status: 429, body: Data("{}".utf8), headers: ["Retry-After": "120"]) }) { server in
            let backfill = GapBackfill(store: store, symbols: ["BTCUSDT"], client: AggTradesClient(baseURL: server.baseURL, minimumInterval: .zero),
                                       queue: LiveEventQueue(), logger: Logger(label: "test"), wallClock: { t0 + .hours(1) })
            var done: Set<String> = []
            var lastRequest: ContinuousClock.Instant?
            // When one pass runs
            let pause = await backfill.fillOpenGaps(skipping: &done, lastRequest: &lastRequest)
            // Then it asks for the server's pause, made one request, and the gap is neither done nor filled
            #expect(pause == .seconds(120))
            #expect(server.requests.count == 1)
            #expect(done.isEmpty)
            let gaps = try store.gaps()
            #expect(gaps.count == 1 && gaps.first?.filledAt == nil)
        }
    }
}
