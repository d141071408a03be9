import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Market
import Storage

/// Downloads Binance's public daily USD-M futures dumps (the data.binance.vision layout), verifies each
/// against its published `.CHECKSUM` (SHA-256), and imports it with the `CSVImporter`.
///
/// Layout: `<base>/data/futures/um/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-01.zip` (and `aggTrades`,
/// `klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-01.zip`), each with `<file>.CHECKSUM` = `"<sha256 hex>  <file>"`.
/// Files land in `directory`; a verified, imported day leaves an `<file>.imported` marker and is skipped
/// next time. Downloads go to `<file>.part` first and are renamed only when verified, so an interrupted run
/// resumes cleanly (imports are idempotent anyway). A day that does not exist (HTTP 404) is reported and
/// skipped; a checksum mismatch is an error for that day (the file is deleted).
public struct DumpFetcher: Sendable {
    /// What to download.
    public enum Kind: String, Sendable, CaseIterable {
        case trades
        case aggTrades
        case klines1m = "klines-1m"

        /// The importer's kind for these files.
        public var importKind: ImportKind {
            switch self {
            case .trades: .trades
            case .aggTrades: .aggTrades
            case .klines1m: .klines(.oneMinute)
            }
        }
    }

    /// One day of one symbol, and what happened to it.
    public struct DayResult: Sendable, Equatable {
        public enum Outcome: Sendable, Equatable {
            case imported(rows: Int)
            case alreadyImported
            case notPublished
            case failed(String)
        }

        public var symbol: Symbol
        public var day: String
        public var outcome: Outcome
    }

    /// Production host.
    public static let productionBaseURL = "https://data.binance.vision"

    /// Answers one GET: `nil` body for 404, else the bytes (throws for other failures). Used for the small
    /// `.CHECKSUM` files; the zip files themselves are streamed to disk by ``Download``.
    public typealias Fetch = @Sendable (URL) async throws -> Data?

    /// Streams one GET into a file: false for 404 (throws for other failures).
    public typealias Download = @Sendable (URL, URL) async throws -> Bool

    public let baseURL: String
    public let directory: URL
    let fetch: Fetch
    let downloadFile: Download

    /// - Parameters:
    ///   - fetch, download: injectable for tests; by default ``ExchangeHTTP`` (deadline, size limit, no redirects),
    ///     with a zip streamed to disk, never held in memory. A test that injects only `fetch` gets a download
    ///     through it.
    public init(baseURL: String = DumpFetcher.productionBaseURL, directory: URL, fetch: Fetch? = nil, download: Download? = nil) {
        self.baseURL = baseURL
        self.directory = directory
        self.fetch = fetch ?? { url in try await ExchangeHTTP.get(url) }
        if let download {
            self.downloadFile = download
        } else if let fetch {
            self.downloadFile = { url, file in
                guard let data = try await fetch(url) else { return false }
                try data.write(to: file)
                return true
            }
        } else {
            self.downloadFile = { url, file in try await ExchangeHTTP.download(url, to: file) }
        }
    }

    /// The dump's file name, e.g. `BTCUSDT-trades-2024-01-01.zip`.
    public static func fileName(symbol: Symbol, kind: Kind, day: String) -> String {
        switch kind {
        case .trades, .aggTrades: "\(symbol.name)-\(kind.rawValue)-\(day).zip"
        case .klines1m: "\(symbol.name)-1m-\(day).zip"
        }
    }

    /// The dump's URL path below the base URL.
    public static func path(symbol: Symbol, kind: Kind, day: String) -> String {
        let file = fileName(symbol: symbol, kind: kind, day: day)
        switch kind {
        case .trades, .aggTrades: return "/data/futures/um/daily/\(kind.rawValue)/\(symbol.name)/\(file)"
        case .klines1m: return "/data/futures/um/daily/klines/\(symbol.name)/1m/\(file)"
        }
    }

    /// The UTC days from `from` to `to` inclusive, as `YYYY-MM-DD`.
    public static func days(from: Timestamp, to: Timestamp) -> [String] {
        var result: [String] = []
        var day = Timeframe.oneDay.barOpen(containing: from)
        while day <= to {
            let civil = day.civil
            result.append(String(format: "%04d-%02d-%02d", civil.year, civil.month, civil.day))
            day = day + .days(1)
        }
        return result
    }

    /// Downloads and verifies one day; returns the local zip, or `nil` when the day is not published.
    ///
    /// - Throws: ``FetchError`` for HTTP failures, a malformed `.CHECKSUM`, or a mismatch.
    public func download(symbol: Symbol, kind: Kind, day: String) async throws -> URL? {
        let file = Self.fileName(symbol: symbol, kind: kind, day: day)
        let local = directory.appendingPathComponent(file)
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + Self.path(symbol: symbol, kind: kind, day: day)),
              let checksumURL = URL(string: url.absoluteString + ".CHECKSUM")
        else { throw FetchError.invalidURL(baseURL) }
        guard let checksumData = try await fetch(checksumURL) else { return nil }
        let text = String(decoding: checksumData, as: UTF8.self)
        guard let expected = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).first.map(String.init),
              expected.count == 64, expected.allSatisfy(\.isHexDigit)
        else { throw FetchError.badChecksumFile(checksumURL.absoluteString) }
        if FileManager.default.fileExists(atPath: local.path), (try? Self.sha256(ofFile: local)) == expected.lowercased() {
            return local
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let part = directory.appendingPathComponent(file + ".part")
        defer { try? FileManager.default.removeItem(at: part) }
        guard try await downloadFile(url, part) else { return nil }
        let actual = try Self.sha256(ofFile: part)
        guard actual == expected.lowercased() else {
            throw FetchError.checksumMismatch(file: file, expected: expected.lowercased(), actual: actual)
        }
        _ = try? FileManager.default.removeItem(at: local)
        try FileManager.default.moveItem(at: part, to: local)
        return local
    }

    /// Fetches and imports every day of every symbol, in order; one failed day does not stop the others.
    ///
    /// - Parameter progress: called after each day (on the caller's task).
    public func run(symbols: [Symbol], kind: Kind, from: Timestamp, to: Timestamp, importer: CSVImporter,
                    progress: (DayResult, _ done: Int, _ total: Int) -> Void = { _, _, _ in }) async -> [DayResult] {
        let days = Self.days(from: from, to: to)
        var results: [DayResult] = []
        let total = days.count * symbols.count
        for symbol in symbols {
            for day in days {
                let result = await fetchDay(symbol: symbol, kind: kind, day: day, importer: importer)
                results.append(result)
                progress(result, results.count, total)
            }
        }
        return results
    }

    private func fetchDay(symbol: Symbol, kind: Kind, day: String, importer: CSVImporter) async -> DayResult {
        let file = Self.fileName(symbol: symbol, kind: kind, day: day)
        let marker = directory.appendingPathComponent(file + ".imported")
        if FileManager.default.fileExists(atPath: marker.path) {
            return DayResult(symbol: symbol, day: day, outcome: .alreadyImported)
        }
        do {
            guard let zip = try await download(symbol: symbol, kind: kind, day: day) else {
                return DayResult(symbol: symbol, day: day, outcome: .notPublished)
            }
            // The import blocks (on the file, on the store): off Swift concurrency's threads.
            nonisolated(unsafe) let importer = importer
            let options = ImportOptions(symbol: symbol, kind: kind.importKind)
            let summary = try await onThreadOfItsOwn("pairbook.fetch.import") { try importer.importFile(at: zip, options: options) }
            try Data("\(summary)\n".utf8).write(to: marker)
            return DayResult(symbol: symbol, day: day, outcome: .imported(rows: summary.rows))
        } catch {
            return DayResult(symbol: symbol, day: day, outcome: .failed("\(error)"))
        }
    }

    /// The SHA-256 of a file, read in 1 MiB chunks (a dump is never held in memory whole).
    static func sha256(ofFile url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// Why a dump could not be fetched.
public enum FetchError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidURL(String)
    case httpStatus(Int, url: String)
    case badChecksumFile(String)
    case checksumMismatch(file: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid base URL \(url)"
        case .httpStatus(let status, let url): "HTTP \(status) from \(url)"
        case .badChecksumFile(let url): "\(url): not a SHA-256 checksum file"
        case .checksumMismatch(let file, let expected, let actual): "\(file): SHA-256 \(actual) does not match the published \(expected)"
        }
    }
}
