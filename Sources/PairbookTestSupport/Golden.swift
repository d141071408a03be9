import Foundation

/// Golden files: committed expected outputs kept in `Golden/<name>` beside the test file.
///
/// Run the tests with `RECORD_GOLDEN=1` to (re)write the goldens from the current output; a
/// recording run reports every golden it wrote as a failure, so it can never pass silently.
/// Comparison is pluggable: bytes by default, pixel RMS with a tolerance for PNG charts,
/// normalised text for HTML.
///
/// ```swift
/// let outcome = Golden.check(png, named: "candlestick.png") { expected, actual in
///     rms(expected, actual) <= 0.02 ? nil : "RMS above 0.02"
/// }
/// #expect(outcome == .matched, "\(outcome)")
/// ```
public enum Golden {
    /// The result of checking output against its golden.
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// The output matches the golden.
        case matched
        /// `RECORD_GOLDEN=1`: the golden was written (counts as a failure).
        case recorded(path: String)
        /// No golden exists yet; run with `RECORD_GOLDEN=1` to create it.
        case missing(path: String)
        /// The output differs; the actual output was saved next to the golden as `<name>.actual.<ext>`.
        case mismatched(path: String, detail: String)

        public var description: String {
            switch self {
            case .matched: "golden matched"
            case let .recorded(path): "golden recorded at \(path) (RECORD_GOLDEN=1 always fails; rerun without it)"
            case let .missing(path): "golden missing: \(path) (run with RECORD_GOLDEN=1 to record it)"
            case let .mismatched(path, detail): "golden mismatch: \(path): \(detail)"
            }
        }
    }

    /// Whether this run records goldens (`RECORD_GOLDEN=1`).
    public static var isRecording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" }

    /// The `Golden` folder beside the calling test file.
    public static func directory(testFile: String = #filePath) -> URL {
        URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Golden", isDirectory: true)
    }

    /// Compares `actual` with `Golden/<name>` beside `testFile`, or records it when ``isRecording``.
    ///
    /// - Parameters:
    ///   - compare: returns nil when `expected` and `actual` are equivalent, else a one-line reason.
    ///     Defaults to byte equality.
    public static func check(_ actual: Data, named name: String, testFile: String = #filePath,
                             compare: (_ expected: Data, _ actual: Data) -> String? = { $0 == $1 ? nil : "bytes differ" }) -> Outcome {
        let dir = directory(testFile: testFile)
        let url = dir.appendingPathComponent(name)
        if isRecording {
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try actual.write(to: url)
            } catch {
                return .mismatched(path: url.path, detail: "cannot record: \(error)")
            }
            return .recorded(path: url.path)
        }
        guard let expected = try? Data(contentsOf: url) else { return .missing(path: url.path) }
        guard let reason = compare(expected, actual) else { return .matched }
        let ext = url.pathExtension
        let actualURL = url.deletingPathExtension().appendingPathExtension(ext.isEmpty ? "actual" : "actual.\(ext)")
        try? actual.write(to: actualURL)
        return .mismatched(path: url.path, detail: reason + " (actual output: \(actualURL.lastPathComponent))")
    }
}
