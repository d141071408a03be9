import Foundation
import Hummingbird
import NIOCore
import Monitoring
import NIOPosix

// MARK: - The page, its assets, Debian's dygraphs, report output files, the login form

extension Dashboard {
    /// Debian's libjs-dygraphs files that the page loads (nothing else of /usr/share/javascript is served).
    static let vendorFiles: Set<String> = [
        "dygraph.min.js", "dygraph.min.css", "dygraph.js", "dygraph.css",
        "src-es5/extras/synchronizer.js", "src-es5/extras/crosshair.js", "src-es5/extras/unzoom.js",
    ]

    /// The files that `/assets/…`, `/vendor/dygraphs/…` and `/api/openapi.json` serve, read once; and two bundles
    /// the pages load instead of five files (a page waits for every one of them, over the browser's six connections):
    /// `/vendor/dygraphs/bundle.js`, dygraphs with its synchronizer and crosshair extras, and `/assets/bundle.css`,
    /// dygraphs' style sheet and the dashboard's.
    static func staticFiles(page: PageTemplate, vendorDirectory: String) -> StaticFiles {
        let assets = page.directory + "/assets"
        let vendor = { (name: String) in vendorDirectory + "/" + name }
        return StaticFiles(
            StaticFiles.names(in: assets).map { .init(route: "assets/" + $0, path: assets + "/" + $0, cacheControl: "no-cache") }
                + vendorFiles.map { .init(route: "vendor/dygraphs/" + $0, path: vendor($0), cacheControl: "max-age=86400") }
                + [.init(route: "vendor/dygraphs/bundle.js", bundling: ["dygraph.min.js", "src-es5/extras/synchronizer.js",
                                                                        "src-es5/extras/crosshair.js"].map(vendor),
                         cacheControl: "max-age=86400"),
                   .init(route: "assets/bundle.css", bundling: [vendor("dygraph.min.css"), assets + "/app.css"], cacheControl: "no-cache"),
                   .init(route: "openapi.json", path: page.directory + "/openapi.json", cacheControl: "no-cache")])
    }

    func addPageRoutes(to routes: RouteCollection<BasicRequestContext>) {
        let fileIO = FileIO(threadPool: .singleton)
        let output = configuration.outputDirectory

        routes.get("/") { _, _ in html(page.render(csrf: csrfToken, title: "pairbook")) }

        routes.get("/reports/:name") { _, context in
            let name = try context.parameters.require("name")
            guard try scriptPath(named: name) != nil else { throw APIError.notFound("no report script named \(name)") }
            return html(page.renderScriptPage(csrf: csrfToken, title: "pairbook · \(name)", script: name))
        }

        routes.get("/assets/:file") { request, context in
            let file = try context.parameters.require("file")
            guard let response = staticFiles.response(for: "assets/" + file, to: request) else { throw APIError.notFound("no such asset") }
            return response
        }

        routes.get("/vendor/dygraphs/**") { request, context in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard let response = staticFiles.response(for: "vendor/dygraphs/" + path, to: request) else {
                throw APIError.notFound("no such library file")
            }
            return response
        }

        routes.get("/api/openapi.json") { request, _ in
            guard let response = staticFiles.response(for: "openapi.json", to: request) else { throw APIError.notFound("no such file: openapi.json") }
            return response
        }

        // Report output: /files/<report>/<run>/<file>, each a plain name (so nothing outside the output folder).
        routes.get("/files/**") { _, context in
            let parts = context.parameters.getCatchAll()
            guard (2...4).contains(parts.count), parts.allSatisfy(SafeFile.isSafeComponent) else {
                throw APIError.notFound("no such file")
            }
            let name = String(parts[parts.count - 1])
            return try await serve(output + "/" + parts.joined(separator: "/"), name: name, fileIO: fileIO, context: context, cache: "no-cache")
        }

        routes.get("/login") { _, _ in html(Self.loginPage(failed: false)) }
        routes.post("/login") { request, context in
            guard let token = configuration.token else { return Response(status: .seeOther, headers: [.location: "/"]) }
            let form = String(decoding: try await body(of: request, limit: 4096), as: UTF8.self)
            let sent = form.split(separator: "&").first { $0.hasPrefix("token=") }
                .map { String($0.dropFirst(6)).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" } ?? ""
            guard SecurityMiddleware<BasicRequestContext>.constantTimeEqual(sent, token) else {
                return html(Self.loginPage(failed: true), status: .unauthorized)
            }
            var response = Response(status: .seeOther, headers: [.location: "/"])
            response.setCookie(Cookie(
                name: SecurityMiddleware<BasicRequestContext>.cookieName, value: SecurityMiddleware<BasicRequestContext>.sessionValue(token: token),
                maxAge: 30 * 86400, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
    }

    private func serve(_ path: String, name: some StringProtocol, fileIO: FileIO, context: BasicRequestContext, cache: String) async throws -> Response {
        do {
            let body = try await fileIO.loadFile(path: path, context: context)
            return Response(status: .ok, headers: [.contentType: SafeFile.contentType(of: name), .cacheControl: cache], body: body)
        } catch {
            throw APIError.notFound("no such file: \(name)")
        }
    }

    static func loginPage(failed: Bool) -> String {
        let notice = failed ? "<p class=\"error\">That token is not right.</p>" : ""
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>pairbook · log in</title><link rel="stylesheet" href="/assets/app.css"></head>
            <body class="login"><main><h1>pairbook</h1><form method="post" action="/login">
            <label>Access token <input type="password" name="token" autocomplete="current-password" autofocus required></label>
            <button type="submit">Log in</button></form>\(notice)</main></body></html>
            """
    }
}

func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
             body: .init(byteBuffer: ByteBuffer(string: text)))
}
