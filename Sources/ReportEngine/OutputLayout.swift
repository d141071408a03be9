import Foundation
import Market

/// Where a run's files go: `<root>/<report-name>/<UTC-timestamp>/` and a copy in `<root>/<report-name>/latest/`.
///
/// The timestamp is the run time (`--at` or the schedule slot), so re-running a period writes the same folder.
/// Every path is checked to stay inside `root`.
public struct OutputLayout: Sendable, Hashable {
    /// The output folder (`output/` by default, `--out DIR`).
    public var root: URL
    /// The report name (a safe folder name).
    public var reportName: String
    /// The run time.
    public var runTime: Timestamp

    /// The layout under `root` for a report and run time.
    ///
    /// - Throws: ``ScriptError/unsafeOutputPath(_:)`` when `reportName` is not one safe path component.
    public init(root: String, reportName: String, runTime: Timestamp) throws {
        guard Self.isSafeName(reportName) else { throw ScriptError.unsafeOutputPath(reportName) }
        self.root = URL(fileURLWithPath: root).standardizedFileURL
        self.reportName = reportName
        self.runTime = runTime
    }

    /// `<root>/<name>/<yyyymmddThhmmssZ>`
    public var runFolder: URL { root.appendingPathComponent(reportName).appendingPathComponent(runTime.compactUTC) }
    /// `<root>/<name>/latest`
    public var latestFolder: URL { root.appendingPathComponent(reportName).appendingPathComponent("latest") }

    /// The URL of `file` inside the run folder.
    ///
    /// - Throws: ``ScriptError/unsafeOutputPath(_:)`` for names with separators, `..`, or a result outside `root`.
    public func file(_ name: String) throws -> URL {
        guard Self.isSafeName(name) else { throw ScriptError.unsafeOutputPath(name) }
        let url = runFolder.appendingPathComponent(name).standardizedFileURL
        guard url.path.hasPrefix(root.path + "/") else { throw ScriptError.unsafeOutputPath(url.path) }
        return url
    }

    /// Whether `name` is one path component of letters, digits, `-`, `_`, `.` (not `.` or `..`).
    public static func isSafeName(_ name: String) -> Bool {
        guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix("."), name.count <= 120 else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    /// Writes `files` (name → bytes) into the run folder, then replaces `latest/` with a copy of it (hard links where the
    /// file system has them, else copies).
    ///
    /// - Returns: the written paths in the run folder, in the order given.
    /// - Throws: ``ScriptError/unsafeOutputPath(_:)`` or ``ScriptError/cannotRead(path:reason:)`` when writing fails.
    public func write(_ files: [(name: String, data: Data)]) throws -> [String] {
        let fm = FileManager.default
        var written: [String] = []
        do {
            try fm.createDirectory(at: runFolder, withIntermediateDirectories: true)
            for (name, data) in files {
                let url = try file(name)
                try data.write(to: url, options: .atomic)
                written.append(url.path)
            }
            let latest = latestFolder
            let staging = root.appendingPathComponent(reportName).appendingPathComponent(".latest-\(runTime.compactUTC)")
            try? fm.removeItem(at: staging)
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            for ((name, data), path) in zip(files, written) {
                // A hard link costs no second write of the bytes (a day of 1 s bars is ~36 MB of CSV); the run
                // files are only ever replaced (atomic writes), never changed in place, so sharing inodes is safe.
                let target = staging.appendingPathComponent(name)
                if link(path, target.path) != 0 { try data.write(to: target) }
            }
            try? fm.removeItem(at: latest)
            try fm.moveItem(at: staging, to: latest)
        } catch let error as ScriptError {
            throw error
        } catch {
            throw ScriptError.cannotRead(path: runFolder.path, reason: "cannot write output: \(error.localizedDescription)")
        }
        return written
    }
}
