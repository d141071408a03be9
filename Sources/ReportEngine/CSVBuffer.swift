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

    /// A number as a plain decimal (empty when undefined or not finite): the text of ``CSVRenderer/plainDecimal(_:)``.
    mutating func number(_ x: Double?) {
        separator()
        guard let x, x.isFinite else { return }
        if appendShortDecimal(x) { return }
        let magnitude = x.magnitude
        if magnitude >= 1e-4 && magnitude < 9_007_199_254_740_992 {
            // Swift writes an exponent only outside [1e-4, 2⁵³]: `description` is already plain here.
            bytes.append(contentsOf: x.description.utf8)
        } else {
            bytes.append(contentsOf: CSVRenderer.plainDecimal(x).utf8)
        }
    }

    /// Writes `x` when it has at most 8 decimals, in exactly the form of `x.description` (the shortest text that reads
    /// back as `x`: `67234.5`, `0.001`, `12.0`), without going through a String; false (nothing written) otherwise.
    ///
    /// Prices, quantities and volumes are such numbers. For the smallest `k` with `m = round(x·10ᵏ)` and `m / 10ᵏ == x`,
    /// the decimal m·10⁻ᵏ reads back as `x` (the division is correctly rounded), and because `|m| < 2⁵²` the rounding
    /// interval of `x` scaled by 10ᵏ is narrower than 1, so it is the only such decimal with k places: the shortest
    /// round-trip text, as Swift prints it. Zero, magnitudes below 10⁻⁴ (Swift uses an exponent there) and numbers
    /// needing more places take the general path.
    private mutating func appendShortDecimal(_ x: Double) -> Bool {
        let magnitude = x.magnitude
        guard magnitude >= 1e-4, magnitude < 1e15 else { return false }
        if magnitude < 45_035_996 {
            // |x|·10⁸ < 2⁵²: one test at 8 places decides, and the candidate's trailing zeros give the shortest form
            // (a shorter decimal that reads back as x, scaled to 8 places, would be the same unique candidate).
            let m = (magnitude * 1e8).rounded()
            guard m / 1e8 == magnitude else { return false }
            var digits = UInt64(m), places = 8
            while places > 0 && digits % 10 == 0 {
                digits /= 10
                places -= 1
            }
            if x < 0 { bytes.append(UInt8(ascii: "-")) }
            appendFixed(digits, places: places)
            return true
        }
        var scale = 1.0
        for places in 0...8 {
            let m = (magnitude * scale).rounded()
            guard m < 4_503_599_627_370_496 else { return false }  // 2⁵²
            if m / scale == magnitude {
                if x < 0 { bytes.append(UInt8(ascii: "-")) }
                appendFixed(UInt64(m), places: places)
                return true
            }
            scale *= 10
        }
        return false
    }

    /// `m · 10^-places` in positional form, with at least one digit on each side of the point.
    private mutating func appendFixed(_ m: UInt64, places: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
            // Digits of m, least significant first, padded with zeros to places + 1 digits.
            var n = m, count = 0
            repeat {
                digits[count] = UInt8(48 + n % 10)
                n /= 10
                count += 1
            } while n > 0
            while count <= places {
                digits[count] = 48
                count += 1
            }
            for i in stride(from: count - 1, through: places, by: -1) { bytes.append(digits[i]) }
            bytes.append(UInt8(ascii: "."))
            if places == 0 {
                bytes.append(48)
            } else {
                for i in stride(from: places - 1, through: 0, by: -1) { bytes.append(digits[i]) }
            }
        }
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
