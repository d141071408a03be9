import Foundation
import PairbookTestSupport

/// Paths of the repository, found from this file (Tests/ReportEngineTests/TestPaths.swift).
enum TestPaths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let templates = repository.appendingPathComponent("templates").path
    static func report(_ name: String) -> String { repository.appendingPathComponent("Reports/\(name)").path }

    /// A fresh temporary folder (``Fixtures/temporaryDirectory(prefix:)``).
    static func temporaryFolder() throws -> URL { try Fixtures.temporaryDirectory(prefix: "pairbook-tests") }

    /// Writes `text` as a script file in a fresh folder and returns its path.
    static func script(_ text: String, name: String = "test.md") throws -> String {
        let url = try temporaryFolder().appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
