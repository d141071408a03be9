import Foundation

/// Reads committed fixture files that sit next to a test file (`Tests/<Module>Tests/Fixtures/…`).
public enum Fixtures {
    /// The `Fixtures` folder beside the calling test file.
    public static func directory(testFile: String = #filePath) -> URL {
        URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Fixtures", isDirectory: true)
    }

    /// Contents of a fixture file as UTF-8 text.
    public static func text(_ name: String, testFile: String = #filePath) throws -> String {
        try String(contentsOf: directory(testFile: testFile).appendingPathComponent(name), encoding: .utf8)
    }

    /// Contents of a fixture file as bytes.
    public static func data(_ name: String, testFile: String = #filePath) throws -> Data {
        try Data(contentsOf: directory(testFile: testFile).appendingPathComponent(name))
    }

    /// A fresh empty temporary directory, removed by the caller (or left for the OS in /tmp).
    public static func temporaryDirectory(prefix: String = "pairbook-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
