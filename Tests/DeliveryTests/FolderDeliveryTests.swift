import Foundation
import Logging
import Market
import PairbookTestSupport
import Testing

@testable import Delivery

struct FolderDeliveryTests {
    private let logger = Logger(label: "test.folder", factory: { _ in SwiftLogNoOpLogHandler() })

    private func temporaryFolder() throws -> URL { try Fixtures.temporaryDirectory(prefix: "pairbook-folder") }

    @Test("copies every file under its own name into <dir>/<report>/, replacing older copies, leaving no temp files")
    func copies() async throws {
        // Given a report's output files and a share that already has yesterday's copy
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("output/pair-overview/20240101T000000Z")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try Data("<html>new</html>".utf8).write(to: run.appendingPathComponent("report.html"))
        try Data([0x25, 0x50, 0x44, 0x46]).write(to: run.appendingPathComponent("report.pdf"))
        let share = root.appendingPathComponent("share")
        try FileManager.default.createDirectory(at: share.appendingPathComponent("pair-overview"), withIntermediateDirectories: true)
        try Data("<html>old</html>".utf8).write(to: share.appendingPathComponent("pair-overview/report.html"))
        let report = DeliverableReport(
            name: "pair-overview", title: "t", generatedAt: Timestamp(milliseconds: 0),
            files: [run.appendingPathComponent("report.html").path, run.appendingPathComponent("report.pdf").path])

        // When it is delivered
        try await FolderDelivery(directory: share.path, logger: logger).deliver(report)

        // Then
        let folder = share.appendingPathComponent("pair-overview")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["report.html", "report.pdf"])
        #expect(try Data(contentsOf: folder.appendingPathComponent("report.html")) == Data("<html>new</html>".utf8))
        #expect(try Data(contentsOf: folder.appendingPathComponent("report.pdf")) == Data([0x25, 0x50, 0x44, 0x46]))
    }

    @Test("flat layout writes straight into the folder, creating it")
    func flat() async throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("x".utf8).write(to: root.appendingPathComponent("a.csv"))
        let target = root.appendingPathComponent("deep/share")
        let report = DeliverableReport(
            name: "r", title: "t", generatedAt: Timestamp(milliseconds: 0), files: [root.appendingPathComponent("a.csv").path])
        try await FolderDelivery(directory: target.path, layout: .flat, logger: logger).deliver(report)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["a.csv"])
    }

    @Test("a report name that would leave the folder is refused and nothing is written", arguments: ["..", "../escape", ".hidden", "a/b"])
    func traversal(name: String) async throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("x".utf8).write(to: root.appendingPathComponent("a.csv"))
        let share = root.appendingPathComponent("share")
        let report = DeliverableReport(
            name: name, title: "t", generatedAt: Timestamp(milliseconds: 0), files: [root.appendingPathComponent("a.csv").path])
        await #expect(throws: DeliveryError.unsafeFileName(name)) {
            try await FolderDelivery(directory: share.path, retry: .none, logger: logger).deliver(report)
        }
        #expect(!FileManager.default.fileExists(atPath: share.path))
    }

    @Test("a missing source file fails with its path after the retries")
    func missingSource() async throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let report = DeliverableReport(name: "r", title: "t", generatedAt: Timestamp(milliseconds: 0), files: ["/nonexistent/report.pdf"])
        let delivery = FolderDelivery(
            directory: root.path, retry: RetryPolicy(maximumAttempts: 2, initialDelay: .seconds(1)), sleep: { _ in }, logger: logger)
        let error = await #expect(throws: DeliveryError.self) { try await delivery.deliver(report) }
        #expect(error?.description == "/nonexistent/report.pdf: cannot read the file (after 2 attempts)")
    }
}
