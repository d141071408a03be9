import Foundation

/// The only place that writes user-facing output to stdout (tables, progress, summaries).
///
/// Progress lines go to stderr so that `pairbook export … > file.csv` stays clean, and only
/// when stderr is a terminal.
enum Console {
    /// Writes one line to stdout.
    static func line(_ text: String = "") {
        print(text)
    }

    /// Writes text to stdout without a newline (for streamed CSV).
    /// A line that must be seen now (a status line of a long-running command), even when stdout is a pipe
    /// (systemd, tee), which would otherwise hold it in a buffer.
    @Sendable static func liveLine(_ text: String) {
        line(text)
        fflush(nil)
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Whether stderr is an interactive terminal (progress bars are drawn only then).
    static var isInteractive: Bool { isatty(STDERR_FILENO) != 0 }

    /// Redraws a one-line progress indicator on stderr (terminal only).
    static func progress(_ text: String) {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
    }

    /// Ends a progress line so later output starts on a fresh line.
    static func endProgress() {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    /// Renders rows as an aligned plain-text table with a header.
    static func table(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var lines = [render(header), render(widths.map { String(repeating: "-", count: $0) })]
        lines += rows.map(render)
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
