import Foundation
import Hummingbird
import Monitoring
import NIOCore

/// Files the page loads that never change while the server runs (its own assets, Debian's dygraphs, the OpenAPI
/// document), read once when the dashboard starts and answered from memory, without a thread-pool hop.
///
/// NIO's blocking pool has two threads on a two-core machine; the page's first database reads used to queue behind
/// its script and style files there. Each file carries a strong `ETag` (FNV-1a of its bytes), so a browser that
/// revalidates (`Cache-Control: no-cache`) gets a `304 Not Modified` without a body. Files that shrink are also kept
/// gzipped (compressed once, at start) and sent so to a browser that accepts gzip (`Vary: Accept-Encoding`, an ETag
/// of its own). A name absent at start-up is a 404, as a missing file was before. O(1) per request; memory is the
/// files' size (about 400 kB) plus their gzipped copies (about 100 kB).
struct StaticFiles: Sendable {
    struct File: Sendable {
        let body: ByteBuffer
        let etag: String
        /// The gzipped body and its ETag, when gzip makes the file smaller.
        let gzipped: (body: ByteBuffer, etag: String)?
        let contentType: String
        let cacheControl: String
    }

    private let files: [String: File]

    /// One file to serve: the request path it answers, where it is on disk, and its `Cache-Control`. With several
    /// paths, their files one after the other, each ending in a new line: a bundle of style sheets, or of classic
    /// scripts, which then run as they would from consecutive tags, in one request.
    struct Entry {
        var route: String
        var paths: [String]
        var cacheControl: String

        init(route: String, path: String, cacheControl: String) {
            self.init(route: route, bundling: [path], cacheControl: cacheControl)
        }

        init(route: String, bundling paths: [String], cacheControl: String) {
            self.route = route
            self.paths = paths
            self.cacheControl = cacheControl
        }

        /// The bytes to serve; `nil` when one of the files is missing.
        func contents() -> Data? {
            guard paths.count > 1 else { return paths.first.flatMap { FileManager.default.contents(atPath: $0) } }
            var data = Data()
            for path in paths {
                guard let part = FileManager.default.contents(atPath: path) else { return nil }
                data.append(part)
                if part.last != UInt8(ascii: "\n") { data.append(UInt8(ascii: "\n")) }
            }
            return data
        }
    }

    /// Reads the entries' files that exist; the others are left out (their routes answer 404).
    init(_ entries: [Entry]) {
        var files: [String: File] = [:]
        for entry in entries {
            guard let data = entry.contents() else { continue }
            let etag = Self.etag(of: data)
            let gzipped = Gzip.compress(data).flatMap { $0.count < data.count ? (ByteBuffer(bytes: $0), String(etag.dropLast()) + "-gz\"") : nil }
            files[entry.route] = File(body: ByteBuffer(bytes: data), etag: etag, gzipped: gzipped,
                                      contentType: SafeFile.contentType(of: entry.route), cacheControl: entry.cacheControl)
        }
        self.files = files
    }

    /// The regular files directly inside `directory` whose names are safe path components (none if it is missing).
    static func names(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return SafeFile.isSafeComponent(name)
                && FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// The answer for `route`: the file (gzipped if the request accepts it), or `304` when `request` already holds
    /// this version; `nil` when unknown.
    func response(for route: String, to request: Request) -> Response? {
        guard let file = files[route] else { return nil }
        let accepts = request.headers[values: .acceptEncoding].contains { value in
            value.split(separator: ",").contains { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() == "gzip" }
        }
        let (body, etag) = accepts ? file.gzipped ?? (file.body, file.etag) : (file.body, file.etag)
        var headers: HTTPFields = [.contentType: file.contentType, .cacheControl: file.cacheControl, .eTag: etag]
        if file.gzipped != nil { headers[.vary] = "Accept-Encoding" }
        if accepts, file.gzipped != nil { headers[.contentEncoding] = "gzip" }
        if let sent = request.headers[.ifNoneMatch], sent.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// `"<16 hex digits>"`: the 64-bit FNV-1a hash of `data`, quoted as an entity tag.
    static func etag(of data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }
}
