import Market

/// A growing RFC 4180 CSV document in UTF-8 bytes: fields separated by commas, records ended by CRLF.
///
/// Appends straight into a byte array (no per-row arrays or strings), so a day of one-second bars
/// (≈ 260,000 rows) is written in a fraction of a second.
struct CSVBuffer {
    private(set) var bytes: [UInt8] = []
    private var rowStarted = false

    init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    private mutating func separator() {
        if rowStarted { bytes.append(UInt8(ascii: ",")) }
        rowStarted = true
    }

    /// A text field, quoted when it holds `,`, `"`, CR or LF (quotes doubled).
    mutating func text(_ s: String) {
        separator()
        let utf8 = s.utf8
        let needsQuotes = utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(0x22)
        for b in utf8 {
            if b == 0x22 { bytes.append(0x22) }
            bytes.append(b)
        }
        bytes.append(0x22)
    }

    /// A number as a plain decimal (empty when undefined or not finite).
    mutating func number(_ x: Double?) {
        separator()
        guard let x, x.isFinite else { return }
        bytes.append(contentsOf: CSVRenderer.plainDecimal(x).utf8)
    }

    /// An integer.
    mutating func integer(_ n: Int64) {
        separator()
        bytes.append(contentsOf: String(n).utf8)
    }

    /// `2024-07-19T00:00:02.813Z` (empty when nil).
    mutating func time(_ t: Timestamp?) {
        separator()
        guard let t else { return }
        let c = t.civil
        digits(c.year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(c.month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(c.day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(c.hour, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(c.minute, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(c.second, 2)
        bytes.append(UInt8(ascii: "."))
        digits(c.millisecond, 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    private mutating func digits(_ value: Int, _ width: Int) {
        guard value >= 0 else {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        if v >= divisor * 10 {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        while divisor > 0 {
            bytes.append(UInt8(48 + v / divisor))
            v %= divisor
            divisor /= 10
        }
    }

    /// Ends the record with CRLF.
    mutating func endRow() {
        bytes.append(0x0D)
        bytes.append(0x0A)
        rowStarted = false
    }

    /// A header or any all-text record.
    mutating func row(_ fields: [String]) {
        for f in fields { text(f) }
        endRow()
    }
}
