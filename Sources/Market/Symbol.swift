/// A Binance instrument name such as `BTCUSDT`: 2–32 upper-case ASCII letters and digits.
///
/// Parsing upper-cases its input, so `btcusdt` (as used in stream names) is accepted.
public struct Symbol: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The canonical upper-case name.
    public let name: String

    /// Parses and validates a symbol.
    ///
    /// - Throws: ``MarketError/invalidSymbol(_:)`` for empty names, lower-level punctuation, or more than 32 characters.
    public init(parsing text: String) throws {
        let upper = text.trimmingSpaces().uppercased()
        guard (2...32).contains(upper.utf8.count),
              upper.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) })
        else { throw MarketError.invalidSymbol(text) }
        self.name = upper
    }

    /// A symbol from a literal in code (tests, defaults). The literal must be valid.
    public init(stringLiteral value: String) {
        guard let symbol = try? Symbol(parsing: value) else {
            preconditionFailure("invalid symbol literal \(value)")
        }
        self = symbol
    }

    /// The lower-case form used in Binance stream names (`btcusdt@trade`).
    public var streamName: String { name.lowercased() }

    public var description: String { name }

    public static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.name < rhs.name }

    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeParsed { try Self(parsing: $0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

extension Symbol {
    /// Parses a comma-separated list such as `BTCUSDT,ETHUSDT`, dropping duplicates, keeping order.
    ///
    /// - Throws: ``MarketError/invalidSymbol(_:)`` for the first bad entry.
    public static func parseList(_ text: String) throws -> [Symbol] {
        var seen = Set<Symbol>()
        var result: [Symbol] = []
        for part in text.split(separator: ",") where !part.trimmingSpacesSubstring().isEmpty {
            let symbol = try Symbol(parsing: String(part))
            if seen.insert(symbol).inserted { result.append(symbol) }
        }
        guard !result.isEmpty else { throw MarketError.invalidSymbol(text) }
        return result
    }
}

extension Substring {
    func trimmingSpacesSubstring() -> String { String(self).trimmingSpaces() }
}
