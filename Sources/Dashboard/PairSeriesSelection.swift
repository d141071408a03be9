import Analytics
import Foundation

/// The `series` parameter of `/api/pair`: which of the analysis' series a page wants (comma-separated names as in
/// the JSON, e.g. `spread,spreadMean,zScore`). The Overview's spread and z-score panes ask for three of the eleven
/// and receive a tenth of the bytes. `timestamps` always come; the series not asked for come as empty arrays, so
/// the answer keeps the shape of `pairbook analyze --format json`.
struct PairSeriesSelection: Sendable, Hashable {
    /// Every selectable series by its JSON name, with how to empty it.
    private static let emptying: KeyValuePairs<String, @Sendable (inout PairAnalysis.Series) -> Void> = [
        "base": { $0.base = [] }, "quote": { $0.quote = [] }, "spread": { $0.spread = [] },
        "spreadMean": { $0.spreadMean = [] }, "spreadStandardDeviation": { $0.spreadStandardDeviation = [] },
        "zScore": { $0.zScore = [] }, "hedgeRatio": { $0.hedgeRatio = [] }, "intercept": { $0.intercept = [] },
        "priceCorrelation": { $0.priceCorrelation = [] }, "returnCorrelation": { $0.returnCorrelation = [] },
    ]

    /// Every selectable series' JSON name.
    static var names: [String] { emptying.map(\.key) }

    /// The names asked for; `nil` means all.
    let names: Set<String>?

    /// Parses `text` (nil or empty: every series).
    /// - Throws: ``APIError/badRequest(_:)`` naming an unknown series and listing the known ones.
    init(parsing text: String?) throws {
        guard let text, !text.isEmpty else {
            names = nil
            return
        }
        var names = Set<String>()
        for name in text.split(separator: ",", omittingEmptySubsequences: false).map({ String($0).trimmingCharacters(in: .whitespaces) }) {
            guard Self.names.contains(name) else {
                let shown = name.count > 40 ? name.prefix(40) + "…" : Substring(name)
                throw APIError.badRequest("series: unknown series '\(shown)' (known: \(Self.names.joined(separator: ", ")))")
            }
            names.insert(name)
        }
        self.names = names
    }

    /// `series` with the series not asked for emptied.
    func apply(to series: PairAnalysis.Series) -> PairAnalysis.Series {
        guard let names else { return series }
        var kept = series
        for (name, empty) in Self.emptying where !names.contains(name) { empty(&kept) }
        return kept
    }
}
