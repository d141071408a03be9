/// One of the five fields of a ``CronExpression``, with its range and names.
public enum CronField: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case minute
    case hour
    case dayOfMonth = "day-of-month"
    case month
    case dayOfWeek = "day-of-week"

    public var description: String { rawValue }

    /// The smallest and largest value the field accepts (day-of-week allows 7 for Sunday).
    public var bounds: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// What the field accepts, for error messages.
    var expected: String {
        switch self {
        case .minute: "a minute 0-59"
        case .hour: "an hour 0-23"
        case .dayOfMonth: "a day of the month 1-31"
        case .month: "a month 1-12 or JAN-DEC"
        case .dayOfWeek: "a day of the week 0-7 or SUN-SAT"
        }
    }

    private var names: [String] {
        switch self {
        case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        default: []
        }
    }

    // MARK: - Parsing

    /// Parses one field: `*`, `a`, `a-b`, each optionally with `/step`, separated by commas.
    func parse(_ text: String, expression: String) throws(CronError) -> CronFieldSet {
        func fail(_ what: String) -> CronError {
            .invalidField(expression: expression, field: self, text: text, expected: what)
        }
        var set = CronFieldSet()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("\(expected), not an empty list item") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw fail("at most one '/step' per item") }
            var step = 1
            if parts.count == 2 {
                guard let n = Int(parts[1]), n > 0 else {
                    throw fail("a positive step after '/', found '\(parts[1])'")
                }
                // A longer step than the field has values selects its start only; a huge one would overflow below.
                guard n <= bounds.count else {
                    throw fail("a step of at most \(bounds.count) after '/', found '\(parts[1])'")
                }
                step = n
            }
            let rangeText = parts[0]
            let low: Int
            var high: Int
            if rangeText == "*" {
                low = bounds.lowerBound
                high = self == .dayOfWeek ? 6 : bounds.upperBound
            } else {
                let ends = rangeText.split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2 else { throw fail("a range 'a-b'") }
                low = try value(ends[0], fail: fail)
                if ends.count == 2 {
                    high = try value(ends[1], fail: fail)
                    guard low <= high else { throw fail("a range whose start \(low) is not after its end \(high)") }
                } else {
                    // `a/n` means every n-th value from a to the end of the field (`7/n`: Sunday alone; the end
                    // of the week is 6, and an empty set made a schedule that never fires).
                    high = parts.count == 2 ? max(low, self == .dayOfWeek ? 6 : bounds.upperBound) : low
                }
            }
            var v = low
            while v <= high {
                set.insert(v)
                v += step
            }
        }
        return set
    }

    private func value(_ token: Substring, fail: (String) -> CronError) throws(CronError) -> Int {
        if let n = Int(token), token.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard bounds.contains(n) else { throw fail(expected) }
            return n
        }
        if let index = names.firstIndex(of: token.uppercased()) {
            return self == .month ? index + 1 : index
        }
        throw fail(expected)
    }
}

/// A set of small non-negative integers (0…63) kept as a bit mask, ordered ascending.
struct CronFieldSet: Sendable, Hashable {
    private(set) var bits: UInt64 = 0

    init() {}

    func contains(_ value: Int) -> Bool { value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0 }
    mutating func insert(_ value: Int) { bits |= 1 << UInt64(value) }
    mutating func remove(_ value: Int) { bits &= ~(1 << UInt64(value)) }

    /// The members in ascending order.
    var values: [Int] { (0..<64).filter { contains($0) } }

    /// The smallest member ≥ `value`, if any.
    func first(atOrAfter value: Int) -> Int? {
        guard value < 64 else { return nil }
        let masked = bits & (value <= 0 ? ~0 : ~((1 << UInt64(value)) - 1))
        return masked == 0 ? nil : masked.trailingZeroBitCount
    }

    /// The largest member ≤ `value`, if any.
    func last(atOrBefore value: Int) -> Int? {
        guard value >= 0 else { return nil }
        let masked = value >= 63 ? bits : bits & ((1 << UInt64(value + 1)) - 1)
        return masked == 0 ? nil : 63 - masked.leadingZeroBitCount
    }
}
