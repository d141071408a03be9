/// Parses the decimal numbers of Binance's stream frames, REST pages and CSV dumps (`"63943.90"`, `"0.003"`, `-0.5`,
/// `+1`, `1e-3`): the one decimal parser of the collector and the importer.
///
/// The result is the `Double` nearest to the decimal value (correct rounding, as `strtod`). Fast path (Clinger): up
/// to 19 significant digits with a mantissa of at most 2⁵³ and at most 22 fraction digits is one exact integer
/// divided by an exact power of ten, which IEEE division rounds correctly; an exponent or anything longer goes
/// through the standard library's parser. No allocation on the fast path.
enum DecimalText {
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The value of a decimal (`[+-]digits[.digits][e…]`), or `nil` if the text is not a finite number.
    static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Double? {
        var index = bytes.startIndex
        var negative = false
        if index != bytes.endIndex, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index = bytes.index(after: index)
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenPoint = false
        var seenDigit = false
        while index != bytes.endIndex {
            let byte = bytes[index]
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                seenDigit = true
                guard digits < 19 else { return slowParse(bytes) }
                mantissa = mantissa * 10 + UInt64(digit)
                if mantissa != 0 { digits += 1 }
                if seenPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                return slowParse(bytes)
            } else {
                return nil
            }
            index = bytes.index(after: index)
        }
        guard seenDigit else { return nil }
        guard mantissa <= 1 << 53, fractionDigits < powersOfTen.count else { return slowParse(bytes) }
        // Both operands are exact doubles, so IEEE division rounds correctly.
        let value = Double(mantissa) / powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    static func slowParse(_ bytes: some Collection<UInt8>) -> Double? {
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }
}
