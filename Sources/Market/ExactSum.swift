/// A running sum of decimal amounts — quantities, volumes, price × quantity — kept exactly in fixed point.
///
/// Summing `Double`s drifts: the 1,309 quantities of a Binance minute that add up to `125.967` give
/// `125.96699999999987` as doubles. Binance's own klines carry the exact decimal sum, and so do our bars:
/// each amount with at most 8 decimals (every Binance price and quantity) is added as an integer count of
/// 10⁻⁸ (a product of two as a count of 10⁻¹⁶), and ``value`` is the double nearest to the exact decimal
/// sum, which prints as that decimal (`125.967`).
///
/// An amount with more than 8 decimals, a non-finite one, one of 10¹¹ or more, or a sum past `Int128`
/// makes the sum inexact: it then goes on as the plain `Double` sum it always keeps beside the exact one,
/// so nothing is worse than before. O(1) per addition, no allocation.
///
/// ```swift
/// var volume = ExactSum()
/// volume.add(0.001); volume.add(125.966)
/// volume.value        // 125.967
/// ```
public struct ExactSum: Sendable, Hashable {
    /// The exact sum in units of 10⁻¹⁶ (meaningful while ``isExact``).
    @usableFromInline var units: Int128 = 0
    /// The plain floating-point sum, the answer once an addition could not be kept exactly.
    @usableFromInline var approximate = 0.0
    /// Whether every addition so far was kept exactly.
    public var isExact: Bool { exact }
    @usableFromInline var exact = true

    public init() {}

    /// A sum holding one amount.
    public init(_ amount: Double) { add(amount) }

    /// Adds an amount with up to 8 decimals (a quantity, a volume, a stored quote volume).
    public mutating func add(_ amount: Double) { add(Term(amount)) }

    /// Adds `price × quantity` (a trade's quote volume), both with up to 8 decimals.
    public mutating func add(price: Double, times quantity: Double) { add(Term(price: price, times: quantity)) }

    /// Adds a term prepared once (a trade's amounts go into the bars of several timeframes).
    @inlinable
    public mutating func add(_ term: Term) {
        approximate += term.approximate
        guard exact else { return }
        guard let units = term.units else {
            exact = false
            return
        }
        accumulate(units)
    }

    /// Adds another sum.
    public mutating func add(_ other: ExactSum) {
        approximate += other.approximate
        guard isExact else { return }
        guard other.isExact else {
            exact = false
            return
        }
        accumulate(other.units)
    }

    /// The double nearest to the exact sum (the plain floating-point sum once inexact).
    public var value: Double {
        guard isExact else { return approximate }
        // Drop trailing decimal zeros so that numerator and power of ten are both exact doubles where possible;
        // a quotient of two exact doubles is correctly rounded.
        var n = units, places = 16
        while places > 0 && n % 10 == 0 {
            n /= 10
            places -= 1
        }
        if n.magnitude < 1 << 53 { return Double(n) / Self.powersOfTen[places] }
        // More than 15 significant digits: let the correctly rounded text parser decide.
        return Double(Self.text(n, places: places)) ?? approximate
    }

    @inlinable mutating func accumulate(_ delta: Int128) {
        let (sum, overflow) = units.addingReportingOverflow(delta)
        if overflow { exact = false } else { units = sum }
    }

    private static let powersOfTen: [Double] = (0...16).map { p in (0..<p).reduce(1.0) { r, _ in r * 10 } }

    /// One amount to add, converted to fixed point once.
    public struct Term: Sendable, Hashable {
        /// The amount in units of 10⁻¹⁶; `nil` when it cannot be kept exactly.
        @usableFromInline let units: Int128?
        /// The amount as a double.
        public let approximate: Double

        /// An amount with up to 8 decimals.
        @inlinable public init(_ amount: Double) {
            approximate = amount
            units = Self.eighths(amount).map { Self.product($0, 100_000_000) }
        }

        /// A product of two amounts with up to 8 decimals each (both below 9·10¹⁸ units: the product fits in Int128).
        @inlinable public init(price: Double, times quantity: Double) {
            approximate = price * quantity
            if let p = Self.eighths(price), let q = Self.eighths(quantity) { units = Self.product(p, q) } else { units = nil }
        }

        /// The zero term.
        public static let zero = Term(0)

        /// `amount` as a whole number of 10⁻⁸, when it is exactly such a number (up to 8 decimals, |amount| < 9·10¹⁰).
        /// Int64 arithmetic only (one conversion instruction): this runs twice per trade on the import's hot path.
        @inlinable static func eighths(_ amount: Double) -> Int64? {
            guard amount.magnitude < 9e10 else { return nil }  // also rejects NaN and infinities
            let scaled = (amount * 1e8).rounded()
            // The double nearest to scaled·10⁻⁸ is the amount itself iff the amount has at most 8 decimals.
            guard scaled / 1e8 == amount else { return nil }
            return Int64(scaled)
        }

        /// `a · b` exactly, by one 64 × 64 → 128-bit multiplication.
        @inlinable static func product(_ a: Int64, _ b: Int64) -> Int128 {
            let (high, low) = a.multipliedFullWidth(by: b)
            return Int128(high) << 64 | Int128(low)
        }
    }

    /// `n · 10^-places` as decimal text.
    private static func text(_ n: Int128, places: Int) -> String {
        var digits = String(n.magnitude)
        if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
        digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
        return (n < 0 ? "-" : "") + digits
    }
}
