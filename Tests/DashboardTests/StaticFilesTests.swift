import Foundation
import Hummingbird
import HummingbirdTesting
import PairbookTestSupport
import Testing

@testable import Dashboard

@Suite struct StaticFilesTests {
    @Test("assets are served from memory as on disk, with an ETag; revalidating with it is a 304 without a body",
          arguments: ["app.js", "app.css", "overview.js"])
    func assetRevalidation(file: String) async throws {
        let onDisk = try Data(contentsOf: SharedData.packageRoot.appendingPathComponent("templates/dashboard/assets/" + file))
        try await makeApplication(try makeDashboard(store: try storeWithBars())).test(.router) { client in
            // Given a first load
            let etag = try await client.execute(uri: "/assets/" + file, method: .get) { response in
                #expect(response.status == .ok)
                #expect(Data(response.body.readableBytesView) == onDisk)
                #expect(response.headers[.cacheControl] == "no-cache")
                return try #require(response.headers[.eTag])
            }
            #expect(etag == StaticFiles.etag(of: onDisk))

            // When the browser revalidates with that tag, then nothing is sent again
            try await client.execute(uri: "/assets/" + file, method: .get, headers: [.ifNoneMatch: etag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            // A stale tag gets the file
            try await client.execute(uri: "/assets/" + file, method: .get, headers: [.ifNoneMatch: "\"0000000000000000\""]) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == onDisk.count)
            }
        }
    }

    @Test("a bundle is its files one after the other, each ending in a new line; a missing part leaves it out")
    func bundle() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a.js").path, b = folder.appendingPathComponent("b.js").path
        try Data("var a = 1; //# sourceMappingURL=a.js.map".utf8).write(to: URL(fileURLWithPath: a))
        try Data("var b = a + 1;\n".utf8).write(to: URL(fileURLWithPath: b))
        let entry = StaticFiles.Entry(route: "x/bundle.js", bundling: [a, b], cacheControl: "no-cache")
        #expect(entry.contents() == Data("var a = 1; //# sourceMappingURL=a.js.map\nvar b = a + 1;\n".utf8))
        let missing = StaticFiles.Entry(route: "x/broken.js", bundling: [a, folder.appendingPathComponent("gone.js").path], cacheControl: "no-cache")
        #expect(missing.contents() == nil)
        #expect(StaticFiles.Entry(route: "x/a.js", path: a, cacheControl: "no-cache").contents() == Data("var a = 1; //# sourceMappingURL=a.js.map".utf8))
    }

    @Test("the page preloads every module the dashboard imports, so none is discovered one import level late")
    func everyImportPreloaded() throws {
        let templates = SharedData.packageRoot.appendingPathComponent("templates/dashboard")
        let page = try String(contentsOf: templates.appendingPathComponent("index.mustache"), encoding: .utf8)
        let preloaded = Set(page.matches(of: /<link rel="modulepreload" href="\/assets\/([a-z]+\.js)">/).map { String($0.output.1) })
        // Every module reachable from app.js (and boot.js) through `import … from './x.js'`.
        var reachable: Set<String> = []
        var queue = ["app.js", "boot.js"]
        while let file = queue.popLast() {
            let source = try String(contentsOf: templates.appendingPathComponent("assets/" + file), encoding: .utf8)
            for match in source.matches(of: /from '\.\/([a-z]+\.js)'/) where reachable.insert(String(match.output.1)).inserted {
                queue.append(String(match.output.1))
            }
        }
        // The tabs app.js imports later (`import('./alerts.js')`) are not preloaded, nor what only they import.
        #expect(!reachable.contains("alerts.js") && !preloaded.contains("alerts.js") && !preloaded.contains("export.js"))
        #expect(reachable.count >= 10)
        #expect(reachable.subtracting(preloaded).sorted() == [], "imported but not preloaded")
        #expect(preloaded.subtracting(reachable).sorted() == [], "preloaded but never imported")
    }

    @Test("a browser that accepts gzip gets the file gzipped, with its own ETag; gunzip gives the file back")
    func gzip() async throws {
        let onDisk = try Data(contentsOf: SharedData.packageRoot.appendingPathComponent("templates/dashboard/assets/charts.js"))
        try await makeApplication(try makeDashboard(store: try storeWithBars())).test(.router) { client in
            let plainTag = try await client.execute(uri: "/assets/charts.js", method: .get) { response in
                #expect(response.headers[.contentEncoding] == nil)
                #expect(response.headers[.vary] == "Accept-Encoding")
                return try #require(response.headers[.eTag])
            }
            let (body, zipTag) = try await client.execute(uri: "/assets/charts.js", method: .get,
                                                          headers: [.acceptEncoding: "br, gzip;q=0.9, deflate"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentEncoding] == "gzip")
                return (Data(response.body.readableBytesView), try #require(response.headers[.eTag]))
            }
            #expect(zipTag != plainTag)
            #expect(body.count < onDisk.count / 2)
            #expect(try gunzip(body) == onDisk)
            try await client.execute(uri: "/assets/charts.js", method: .get, headers: [.acceptEncoding: "gzip", .ifNoneMatch: zipTag]) { response in
                #expect(response.status == .notModified)
            }
        }
    }

    /// gunzip through the system's `gzip -dc` (an independent decoder).
    func gunzip(_ data: Data) throws -> Data {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-\(UUID().uuidString).gz")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return out
    }

    @Test("the OpenAPI document is served; unknown assets are 404")
    func openAPIAndMissing() async throws {
        try await makeApplication(try makeDashboard(store: try storeWithBars())).test(.router) { client in
            try await client.execute(uri: "/api/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.body.readableBytes > 1000)
            }
            try await client.execute(uri: "/assets/nope.js", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("ETags are FNV-1a 64 of the bytes, quoted")
    func etag() {
        #expect(StaticFiles.etag(of: Data()) == "\"cbf29ce484222325\"")
        #expect(StaticFiles.etag(of: Data("a".utf8)) == "\"af63dc4c8601ec8c\"")
    }
}
