import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Market
import Storage
import Testing

@testable import Dashboard

struct SecurityTests {
    @Test("every answer carries a strict Content-Security-Policy and no-sniff")
    func headers() async throws {
        try await makeApplication(try makeDashboard(store: try storeWithBars())).test(.router) { client in
            for uri in ["/", "/api/symbols", "/api/bars", "/assets/nope.js"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let csp = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "\(uri)")
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                }
            }
        }
    }

    @Test("a change without the page's CSRF token is refused, and nothing changes")
    func csrf() async throws {
        let store = try storeWithBars()
        let dashboard = try makeDashboard(store: store)
        try await makeApplication(dashboard).test(.router) { client in
            for token in [nil, "forged"] {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let token { headers[SecurityMiddleware<BasicRequestContext>.csrfHeader] = token }
                try await client.execute(uri: "/api/alerts", method: .post, headers: headers, body: ByteBuffer(string: AlertsAPITests.rule)) { response in
                    #expect(response.status == .forbidden)
                }
            }
            // The page carries the token for its own requests.
            try await client.execute(uri: "/", method: .get) { response in
                #expect(text(response).contains(dashboard.csrfToken))
            }
        }
        #expect(try store.alertRules().isEmpty)
    }

    @Test("with a token: pages go to /login, the API answers 401, a bearer header or the login cookie opens both")
    func token() async throws {
        let dashboard = try makeDashboard(store: try storeWithBars(), token: "s3cret")
        try await makeApplication(dashboard).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
            try await client.execute(uri: "/api/symbols", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/symbols", method: .get, headers: [.authorization: "Bearer wrong"]) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/symbols", method: .get, headers: [.authorization: "Bearer s3cret"]) { #expect($0.status == .ok) }
            // An API client with the bearer header needs no CSRF token.
            try await client.execute(uri: "/api/alerts", method: .post, headers: [.authorization: "Bearer s3cret"],
                                     body: ByteBuffer(string: AlertsAPITests.rule)) { #expect($0.status == .created) }
            try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "token=nope")) { #expect($0.status == .unauthorized) }
            let cookie = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: "token=s3cret")) { response in
                #expect(response.status == .seeOther)
                let setCookie = try #require(response.headers[.setCookie])
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
                #expect(!setCookie.contains("s3cret"))
                return String(setCookie.prefix { $0 != ";" })
            }
            try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .ok) }
            // A login form over 4 KiB is refused with 413, not a server error.
            try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "token=" + String(repeating: "x", count: 5000))) { #expect($0.status == .contentTooLarge) }
            try await client.execute(uri: "/api/symbols", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .ok) }
        }
    }

    @Test("a non-loopback address without a token is refused at start")
    func publicNeedsToken() throws {
        let dashboard = try makeDashboard(store: try storeWithBars())
        #expect(throws: DashboardError.tokenRequired(host: "0.0.0.0")) {
            _ = try DashboardServer(dashboard: dashboard, host: "0.0.0.0", port: 0, logger: quietLogger)
        }
    }

    @Test("nothing outside the output folder, the assets and Debian's dygraphs is served",
          arguments: ["/files/..%2F..%2Fetc/passwd", "/files/a/../../etc/passwd", "/assets/..%2F..%2FPackage.swift",
                      "/assets/.hidden", "/vendor/dygraphs/../../../etc/passwd", "/vendor/dygraphs/README", "/files/x"])
    func traversal(uri: String) async throws {
        let output = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                                 appropriateFor: URL(fileURLWithPath: "/tmp"), create: true).path
        try await makeApplication(try makeDashboard(store: try storeWithBars(), output: output)).test(.live) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .notFound || response.status == .badRequest, "\(uri): \(response.status)")
                #expect(!text(response).contains("root:"))
            }
        }
    }

    @Test("report output is served from the output folder")
    func files() async throws {
        let output = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                                 appropriateFor: URL(fileURLWithPath: "/tmp"), create: true).path
        try FileManager.default.createDirectory(atPath: output + "/pair-overview/scheduled/latest", withIntermediateDirectories: true)
        try "<p>hi</p>".write(toFile: output + "/pair-overview/scheduled/latest/report.html", atomically: true, encoding: .utf8)
        try await makeApplication(try makeDashboard(store: try storeWithBars(), output: output)).test(.router) { client in
            try await client.execute(uri: "/files/pair-overview/scheduled/latest/report.html", method: .get) { response in
                #expect(response.status == .ok)
                #expect(text(response) == "<p>hi</p>")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            }
        }
    }
}
