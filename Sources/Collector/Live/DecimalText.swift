/// Parses the decimal strings Binance uses for prices and quantities (`"63943.90"`, `"0.003"`).
///
/// The result is the `Double` nearest to the decimal value (correct rounding, as `strtod`):
/// values with at most 15 significant digits and 22 fraction digits take an exact fast path
/// (one integer accumulation and one correctly rounded division by a power of ten); anything
/// else falls back to the standard library's parser. No allocation on the fast path.
enum DecimalText {
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The value of a plain decimal (`digits[.digits]`, optional leading `-`), or `nil` if the text is not one.
    static func parse(_ bytes: some Collection<UInt8>) -> Double? {
        var mantissa: UInt64 = 0
        var significant = 0
        var fractionDigits = 0
        var seenPoint = false
        var seenDigit = false
        var negative = false
        var first = true
        for byte in bytes {
            defer { first = false }
            if byte == UInt8(ascii: "-"), first {
                negative = true
                continue
            }
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return slowParse(bytes) }
            seenDigit = true
            if mantissa == 0, digit == 0 {
                if seenPoint { fractionDigits += 1 }
                continue
            }
            significant += 1
            guard significant <= 15 else { return slowParse(bytes) }
            mantissa = mantissa * 10 + UInt64(digit)
            if seenPoint { fractionDigits += 1 }
        }
        guard seenDigit else { return nil }
        guard fractionDigits <= 22 else { return slowParse(bytes) }
        // Both operands are exact doubles (mantissa < 10^15 < 2^53), so IEEE division rounds correctly.
        let value = Double(mantissa) / powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    private static func slowParse(_ bytes: some Collection<UInt8>) -> Double? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
