import Foundation
import ZIPFoundation

/// Streams the bytes of a dump — a plain CSV file or the CSV inside a `.zip` — in chunks.
///
/// Memory is one chunk (1 MiB) whatever the file size: plain files are read with `read(2)` into one
/// reused buffer, zip entries are inflated chunk by chunk (ZIPFoundation's consumer API).
struct DumpReader {
    let url: URL
    /// The name used in messages (`BTCUSDT-trades-2024-01-01.csv`, or `x.zip/x.csv`).
    private(set) var displayName: String
    /// Bytes that will be delivered in total (uncompressed size), if known.
    private(set) var totalBytes: Int64?
    private let entry: Entry?
    private let archive: Archive?

    static let chunkSize = 1 << 20

    /// Opens `url`; a `.zip` must hold at least one `.csv` (the first is read).
    init(url: URL) throws {
        self.url = url
        let name = url.lastPathComponent
        displayName = name
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw ImportError.cannotRead(file: name, reason: "no such file or not readable")
        }
        if url.pathExtension.lowercased() == "zip" {
            let archive: Archive
            do {
                archive = try Archive(url: url, accessMode: .read)
            } catch {
                throw ImportError.cannotRead(file: name, reason: "not a zip archive (\(error))")
            }
            guard let entry = archive.first(where: { $0.type == .file && $0.path.lowercased().hasSuffix(".csv") }) else {
                throw ImportError.emptyArchive(file: name)
            }
            self.archive = archive
            self.entry = entry
            displayName = "\(name)/\(entry.path)"
            totalBytes = Int64(entry.uncompressedSize)
        } else {
            archive = nil
            entry = nil
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber
            totalBytes = size?.int64Value
        }
    }

    /// Calls `body` with each chunk of bytes, in order. Chunks split lines anywhere.
    func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let archive, let entry {
            do {
                _ = try archive.extract(entry, bufferSize: Self.chunkSize, skipCRC32: false) { data in
                    try data.withUnsafeBytes { try body($0) }
                }
            } catch let error as ImportError {
                throw error
            } catch let error as Archive.ArchiveError {
                throw ImportError.cannotRead(file: displayName, reason: "corrupt zip entry (\(error))")
            }
            return
        }
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else {
            throw ImportError.cannotRead(file: displayName, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, Self.chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw ImportError.cannotRead(file: displayName, reason: String(cString: strerror(errno)))
            }
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}
