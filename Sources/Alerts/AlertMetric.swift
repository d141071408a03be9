/// The quantity an alert rule watches, as named in report scripts (`metric: z_score`).
///
/// Pair metrics come from the pair analysis of the report window; bar metrics (`volume`,
/// `quote_volume`, `close`, `trades`) from the bars of the rule's symbol (the pair's base when
/// the rule names a pair).
public enum AlertMetric: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Rolling z-score of the spread (dimensionless).
    case zScore = "z_score"
    /// Rolling Pearson correlation of the two legs' closes, −1…1.
    case correlation
    /// MacKinnon p-value of the ADF test on the spread, 0…1.
    case adfPValue = "adf_pvalue"
    /// ADF test statistic of the spread.
    case adfStatistic = "adf_statistic"
    /// OLS hedge ratio β of base on quote.
    case hedgeRatio = "hedge_ratio"
    /// Spread y − β·x, in the base leg's quote currency.
    case spread
    /// Mean-reversion half-life of the spread, in bars.
    case halfLife = "half_life"
    /// Base-asset volume per bar.
    case volume
    /// Quote-asset volume per bar.
    case quoteVolume = "quote_volume"
    /// Close price per bar.
    case close
    /// Number of trades per bar.
    case trades

    /// The script spelling, e.g. `z_score`.
    public var description: String { rawValue }

    /// Whether the metric is computed from a pair (as opposed to one symbol's bars).
    public var isPairMetric: Bool {
        switch self {
        case .zScore, .correlation, .adfPValue, .adfStatistic, .hedgeRatio, .spread, .halfLife: true
        case .volume, .quoteVolume, .close, .trades: false
        }
    }

    /// A short human label, e.g. `z-score`, `ADF p-value`.
    public var label: String {
        switch self {
        case .zScore: "z-score"
        case .correlation: "correlation"
        case .adfPValue: "ADF p-value"
        case .adfStatistic: "ADF statistic"
        case .hedgeRatio: "hedge ratio"
        case .spread: "spread"
        case .halfLife: "half-life"
        case .volume: "volume"
        case .quoteVolume: "quote volume"
        case .close: "close"
        case .trades: "trades"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let metric = AlertMetric(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "unknown metric '\(text)': expected one of \(AlertMetric.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        self = metric
    }
}
