/// Two symbols traded against each other, written `BASE/QUOTE`, e.g. `BTCUSDT/ETHUSDT`.
///
/// A pair `A/B` regresses A (y, ``base``) on B (x, ``quote``): hedge ratio β from y = α + β·x,
/// spread = y − β·x.
public struct Pair: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The dependent leg (y).
    public let base: Symbol
    /// The explanatory leg (x).
    public let quote: Symbol

    /// - Precondition: the two legs differ.
    public init(base: Symbol, quote: Symbol) {
        precondition(base != quote, "a pair needs two different symbols")
        self.base = base
        self.quote = quote
    }

    /// Parses `BASE/QUOTE` (also accepts `BASE-QUOTE` and `BASE:QUOTE`).
    ///
    /// - Throws: ``MarketError/invalidPair(_:)`` unless there are two different valid symbols.
    public init(parsing text: String) throws {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == ":" })
        guard parts.count == 2,
              let base = try? Symbol(parsing: String(parts[0])),
              let quote = try? Symbol(parsing: String(parts[1])),
              base != quote
        else { throw MarketError.invalidPair(text) }
        self.init(base: base, quote: quote)
    }

    /// `BTCUSDT/ETHUSDT`
    public var description: String { "\(base.name)/\(quote.name)" }

    /// Both legs, base first.
    public var symbols: [Symbol] { [base, quote] }

    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeParsed { try Self(parsing: $0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
