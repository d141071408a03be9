import Foundation
import Market

extension OutputLayout {
    /// What ``removeRuns(before:)`` did.
    public struct Pruning: Sendable, Equatable {
        /// Run folders removed.
        public var removed: [String] = []
        /// Run folders that could not be removed, with the reason.
        public var failures: [String] = []
    }

    /// Removes this kind's run folders older than `cutoff` (`<kind folder>/<stamp>/` with a stamp before it).
    ///
    /// Only folders whose name is exactly a run stamp (`20240719T000000Z`) are candidates: `latest/`, this run's own
    /// folder, staging folders and anything a user put there stay. A scheduled `pairbook run` calls this after each
    /// report on its own folder (`<name>/scheduled/`), so a months-long service keeps a bounded window of runs (a day of
    /// 1 s bars is ~36 MB of CSV per run) and never touches runs made on demand.
    public func removeRuns(before cutoff: Timestamp) -> Pruning {
        let fm = FileManager.default
        let folder = kindFolder
        var pruning = Pruning()
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return pruning }
        for name in names.sorted() {
            guard let time = Self.runTime(ofFolderNamed: name), time < cutoff, time != runTime else { continue }
            let url = folder.appendingPathComponent(name)
            do {
                try fm.removeItem(at: url)
                pruning.removed.append(url.path)
            } catch {
                pruning.failures.append("\(url.path): \(error.localizedDescription)")
            }
        }
        return pruning
    }

    /// The run time a folder name stands for, if it is exactly a ``Timestamp/compactUTC`` stamp.
    static func runTime(ofFolderNamed name: String) -> Timestamp? {
        let b = Array(name.utf8)
        guard b.count == 16, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z"),
              b[0..<8].allSatisfy({ (48...57).contains($0) }), b[9..<15].allSatisfy({ (48...57).contains($0) })
        else { return nil }
        let s = String(name)
        let iso = "\(s.prefix(4))-\(s.dropFirst(4).prefix(2))-\(s.dropFirst(6).prefix(2))T"
            + "\(s.dropFirst(9).prefix(2)):\(s.dropFirst(11).prefix(2)):\(s.dropFirst(13).prefix(2))Z"
        guard let time = try? Timestamp(parsing: iso), time.compactUTC == name else { return nil }
        return time
    }
}
