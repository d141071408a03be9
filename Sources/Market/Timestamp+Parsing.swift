extension Timestamp {
    /// Parses a time given by a user or a file: ISO-8601 in UTC (`2024-01-01`, `2024-01-01T12:30`,
    /// `2024-01-01T12:30:05Z`, `2024-01-01 12:30:05.250`, with an optional `Z` or `+00:00`; fraction digits past
    /// milliseconds are dropped),
    /// or integer milliseconds since the epoch (`1704067200000`).
    ///
    /// - Throws: ``MarketError/invalidTimestamp(_:)`` when the text is none of these.
    public init(parsing text: String) throws {
        let s = text.trimmingSpaces()
        if !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }), s.count >= 9 {
            guard let ms = Int64(s) else { throw MarketError.invalidTimestamp(text) }
            self.init(milliseconds: ms)
            return
        }
        guard let civil = Self.parseISO(s) else { throw MarketError.invalidTimestamp(text) }
        self.init(civil)
    }

    private static func parseISO(_ s: String) -> CivilTime? {
        var bytes = Array(s.utf8)
        // Strip a UTC designator; other offsets are rejected rather than guessed.
        if bytes.last == UInt8(ascii: "Z") || bytes.last == UInt8(ascii: "z") {
            bytes.removeLast()
        } else if bytes.count >= 6, bytes.suffix(6).elementsEqual("+00:00".utf8) {
            bytes.removeLast(6)
        }
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= bytes.count else { return nil }
            var value = 0
            for k in i..<(i + width) {
                let b = bytes[k]
                guard b >= 48, b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            i += width
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard i < bytes.count, bytes[i] == c.asciiValue else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else {
            return nil
        }
        guard (1...12).contains(month), (1...CivilTime.daysInMonth(year: year, month: month)).contains(day) else {
            return nil
        }
        var civil = CivilTime(year: year, month: month, day: day)
        if i == bytes.count { return civil }
        guard bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let hour = number(2), expect(":"), let minute = number(2), hour < 24, minute < 60 else { return nil }
        civil.hour = hour
        civil.minute = minute
        if i == bytes.count { return civil }
        guard expect(":"), let second = number(2), second < 60 else { return nil }
        civil.second = second
        if i == bytes.count { return civil }
        guard expect(".") else { return nil }
        let start = i
        var fraction = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            if i - start < 3 { fraction = fraction * 10 + Int(bytes[i] - 48) }
            i += 1
        }
        let digits = i - start
        guard digits > 0, i == bytes.count else { return nil }
        // Digits past the third (µs, ns) are dropped; `digits..<3` itself would trap for them.
        for _ in 0..<max(0, 3 - digits) { fraction *= 10 }
        civil.millisecond = fraction
        return civil
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
