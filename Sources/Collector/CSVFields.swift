/// Reads the comma-separated fields of one CSV line in place (no `String` per row or field).
///
/// Binance dumps are plain CSV without quoting, so a field is the bytes between two commas.
/// Numbers are parsed from the bytes: integers exactly, decimals to the correctly rounded `Double`
/// (the same value as `Double("63943.90")` or Python's `float`).
struct CSVFields {
    private let line: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ line: UnsafeBufferPointer<UInt8>) {
        self.line = line
    }

    /// The number of fields in `line` (commas + 1).
    static func count(in line: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 1
        for byte in line where byte == 0x2C { n += 1 }
        return n
    }

    /// The next field's bytes; empty at the end of the line.
    mutating func next() -> UnsafeBufferPointer<UInt8> {
        let start = position
        while position < line.count, line[position] != 0x2C { position += 1 }
        let field = UnsafeBufferPointer(rebasing: line[start..<position])
        if position < line.count { position += 1 }
        return field
    }

    /// Skips one field.
    mutating func skip() { _ = next() }

    // MARK: - Field parsers

    /// A decimal integer with an optional sign; `nil` for anything else or on overflow.
    static func int64(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < field.count, field[i] == 0x2D || field[i] == 0x2B {
            negative = field[i] == 0x2D
            i += 1
        }
        guard i < field.count else { return nil }
        var value: Int64 = 0
        while i < field.count {
            let d = field[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            value = a
            i += 1
        }
        return negative ? -value : value
    }

    /// A decimal number such as `63943.90`, `-0.5`, `1e-3`, correctly rounded; `nil` if not a number (``DecimalText``).
    static func double(_ field: UnsafeBufferPointer<UInt8>) -> Double? { DecimalText.parse(field) }

    /// `true`/`false` (any case) or `1`/`0`.
    static func bool(_ field: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard let first = field.first else { return nil }
        switch first {
        case 0x74, 0x54: return field.count == 4 ? true : nil     // t, T
        case 0x66, 0x46: return field.count == 5 ? false : nil    // f, F
        case 0x31: return field.count == 1 ? true : nil
        case 0x30: return field.count == 1 ? false : nil
        default: return nil
        }
    }

    /// The field as text, for error messages (at most 40 bytes).
    static func text(_ field: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: field[0..<min(field.count, 40)]), as: UTF8.self)
    }
}
