import Foundation
import Logging
import Metrics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies a report's files into a folder (a shared drive), each file atomically: written to a hidden temporary file
/// in the destination folder, then renamed over the final name, so a reader sees the old file or the new one, never
/// a half-written one. File names are kept; names that are not a single plain file name are refused, so nothing is
/// written outside the destination.
///
/// With ``Layout/byReport`` (default) files go to `<directory>/<report name>/`; with ``Layout/flat`` straight into
/// `<directory>/`. Folders are created as needed. A final failure is counted in
/// `pairbook_delivery_failures_total{target="folder"}`.
///
/// ```swift
/// let share = FolderDelivery(directory: "/mnt/share/pairbook", logger: logger)
/// try await share.deliver(report)     // → /mnt/share/pairbook/pair-overview/report.html, report.pdf, …
/// ```
public struct FolderDelivery: ReportDelivery {
    /// Where in the directory the files go.
    public enum Layout: String, Sendable, Codable {
        case byReport = "by-report"
        case flat
    }

    public var target: String { "folder" }
    public let directory: String
    public let layout: Layout
    public let retry: RetryPolicy
    private let sleep: @Sendable (Duration) async throws -> Void
    private let failures: Counter
    private let logger: Logger

    public init(
        directory: String, layout: Layout = .byReport, retry: RetryPolicy = .init(maximumAttempts: 3, initialDelay: .seconds(2)),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        metricsFactory: (any MetricsFactory)? = nil, logger: Logger
    ) {
        self.directory = directory
        self.layout = layout
        self.retry = retry
        self.sleep = sleep
        self.logger = logger
        self.failures = Counter(
            label: "pairbook_delivery_failures_total", dimensions: [("target", "folder")],
            factory: metricsFactory ?? MetricsSystem.factory)
    }

    /// The folder a report's files land in.
    public func destination(for report: DeliverableReport) throws(DeliveryError) -> String {
        switch layout {
        case .flat:
            return directory
        case .byReport:
            guard isSafeFileName(report.name) else { throw .unsafeFileName(report.name) }
            return directory.hasSuffix("/") ? directory + report.name : "\(directory)/\(report.name)"
        }
    }

    public func deliver(_ report: DeliverableReport) async throws(DeliveryError) {
        var logger = self.logger
        logger[metadataKey: "report"] = "\(report.name)"
        logger[metadataKey: "delivery.target"] = "folder"
        do throws(DeliveryError) {
            let destination = try destination(for: report)
            for path in report.files where !isSafeFileName(fileName(of: path)) {
                throw DeliveryError.unsafeFileName(fileName(of: path))
            }
            try await retry.run(logger: logger, sleep: sleep) { () async throws(DeliveryError) in
                try Self.createDirectory(destination)
                for path in report.files {
                    try Self.copyAtomically(from: path, into: destination)
                }
            }
            logger.info("report copied", metadata: ["delivery.folder": "\(destination)", "delivery.files": "\(report.files.count)"])
        } catch {
            failures.increment()
            logger.error("folder delivery failed", metadata: ["error": "\(error)"])
            throw error
        }
    }

    // MARK: - File operations

    static func createDirectory(_ path: String) throws(DeliveryError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .fileError(path: path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
    }

    /// Copies `source` to `<folder>/<its file name>` through a temporary file and `rename(2)`.
    static func copyAtomically(from source: String, into folder: String) throws(DeliveryError) {
        let name = fileName(of: source)
        guard isSafeFileName(name) else { throw .unsafeFileName(name) }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw .fileError(path: source, reason: "cannot read the file")
        }
        let final = "\(folder)/\(name)"
        let temporary = "\(folder)/.\(name).\(EmailMessage.randomHex(6)).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw .fileError(path: temporary, reason: "cannot write")
        }
        guard rename(temporary, final) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw .fileError(path: final, reason: "cannot rename into place (\(reason))")
        }
    }
}
