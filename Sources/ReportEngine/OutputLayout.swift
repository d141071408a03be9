import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Market

/// Where a run's files go, kept apart by who asked for the run:
///
/// | run | folder | copy of the newest |
/// | --- | --- | --- |
/// | on demand (`pairbook report`, `demo`) | `<root>/<name>/<stamp>/` | `<root>/<name>/latest/` |
/// | scheduled (`pairbook run`) | `<root>/<name>/scheduled/<stamp>/` | `<root>/<name>/scheduled/latest/` |
///
/// The stamp is the run time (`--at` or the schedule slot), so re-running a period writes the same folder. Whatever
/// runs on demand (another time, other parameters) never replaces the scheduler's files, and the scheduler prunes only
/// its own folder. Every path is checked to stay inside `root`.
public struct OutputLayout: Sendable, Hashable {
    /// Who asked for a run.
    public enum RunKind: Sendable, Hashable {
        /// A person or a page, now.
        case onDemand
        /// `pairbook run`'s scheduler, for a slot.
        case scheduled
    }

    /// The output folder (`output/` by default, `--out DIR`).
    public var root: URL
    /// The report name (a safe folder name).
    public var reportName: String
    /// The run time.
    public var runTime: Timestamp
    /// Who asked for the run.
    public var kind: RunKind

    /// The layout under `root` for a report and run time.
    ///
    /// - Throws: ``ScriptError/unsafeOutputPath(_:)`` when `reportName` is not one safe path component.
    public init(root: String, reportName: String, runTime: Timestamp, kind: RunKind = .onDemand) throws {
        guard Self.isSafeName(reportName) else { throw ScriptError.unsafeOutputPath(reportName) }
        self.root = URL(fileURLWithPath: root).standardizedFileURL
        self.reportName = reportName
        self.runTime = runTime
        self.kind = kind
    }

    /// The folder holding this kind's runs and its `latest/`: `<root>/<name>` or `<root>/<name>/scheduled`.
    public var kindFolder: URL {
        let report = root.appendingPathComponent(reportName)
        return kind == .scheduled ? report.appendingPathComponent("scheduled") : report
    }

    /// `<kind folder>/<yyyymmddThhmmssZ>`
    public var runFolder: URL { kindFolder.appendingPathComponent(runTime.compactUTC) }

    /// `<kind folder>/latest`
    public var latestFolder: URL { kindFolder.appendingPathComponent("latest") }

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
    /// file system has them, else copies), in one atomic exchange: a reader of `latest/` sees the old run or the new one,
    /// never a missing or half-filled folder.
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
            let staging = kindFolder.appendingPathComponent(".latest-\(runFolder.lastPathComponent)")
            try? fm.removeItem(at: staging)
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            for ((name, data), path) in zip(files, written) {
                // A hard link costs no second write of the bytes (a day of 1 s bars is ~36 MB of CSV); the run
                // files are only ever replaced (atomic writes), never changed in place, so sharing inodes is safe.
                let target = staging.appendingPathComponent(name)
                if link(path, target.path) != 0 { try data.write(to: target) }
            }
            try Self.replace(latest, with: staging)
        } catch let error as ScriptError {
            throw error
        } catch {
            throw ScriptError.cannotRead(path: runFolder.path, reason: "cannot write output: \(error.localizedDescription)")
        }
        return written
    }

    /// Puts `staging` in place of `folder` atomically (Linux `renameat2` with `RENAME_EXCHANGE`, then the old one, now
    /// at `staging`, is removed); a plain rename when `folder` does not exist yet; remove-then-rename where the file
    /// system cannot exchange.
    static func replace(_ folder: URL, with staging: URL) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: folder.path) else {
            try fm.moveItem(at: staging, to: folder)
            return
        }
        #if os(Linux)
        let renameExchange: UInt32 = 2  // RENAME_EXCHANGE, <linux/fs.h>
        if linuxRenameat2(AT_FDCWD, staging.path, AT_FDCWD, folder.path, renameExchange) == 0 {
            try? fm.removeItem(at: staging)
            return
        }
        #endif
        try? fm.removeItem(at: folder)
        try fm.moveItem(at: staging, to: folder)
    }
}

#if os(Linux)
/// glibc's `renameat2` (2.28+), which its Swift module map leaves out (it is declared for `_GNU_SOURCE` only).
@_silgen_name("renameat2")
private func linuxRenameat2(_ oldDirectory: Int32, _ oldPath: UnsafePointer<CChar>, _ newDirectory: Int32,
                            _ newPath: UnsafePointer<CChar>, _ flags: UInt32) -> Int32
#endif
