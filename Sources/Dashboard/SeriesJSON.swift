import Analytics
import Foundation
import Market

/// A pair answer's per-bar series as JSON text, written directly instead of through `JSONEncoder`, which spends about
/// a microsecond per number: some 10 ms of the Overview's `/api/spread` (1,650 rows) and more of `/api/pair`.
///
/// The rest of an answer still goes through ``JSONText``: it is encoded with its series emptied, and the empty
/// `"series":{…}` object in that text is replaced by the full one. Numbers are Swift's shortest round-trip form
/// (`description`, without a trailing `.0`), as `JSONEncoder` writes them; NaN and infinities are the strings
/// ``JSONText`` uses.
enum SeriesJSON {
    /// `body` encoded as JSON with `series` at `path`.
    static func encode<Body: Encodable>(_ body: Body, series: PairAnalysis.Series,
                                        at path: WritableKeyPath<Body, PairAnalysis.Series>) -> String {
        var light = body
        light[keyPath: path] = empty
        let text = JSONText.encode(light)
        let placeholder = "\"series\":" + self.text(empty)
        guard let range = text.range(of: placeholder) else {
            // Not expected (a test checks the placeholder's form): the slow way, not a wrong answer.
            var full = body
            full[keyPath: path] = series
            return JSONText.encode(full)
        }
        return text.replacingCharacters(in: range, with: "\"series\":" + self.text(series))
    }

    /// Series with every column empty.
    static let empty = PairAnalysis.Series(timestamps: [], base: [], quote: [], spread: [], spreadMean: [], spreadStandardDeviation: [],
                                           zScore: [], hedgeRatio: [], intercept: [], priceCorrelation: [], returnCorrelation: [])

    /// The JSON object of `series`: its columns by name, in sorted key order as ``JSONText`` writes them.
    static func text(_ s: PairAnalysis.Series) -> String {
        let columns: [(name: String, write: (inout [UInt8]) -> Void)] = [
            ("base", { write(s.base, to: &$0) }),
            ("hedgeRatio", { write(s.hedgeRatio, to: &$0) }),
            ("intercept", { write(s.intercept, to: &$0) }),
            ("priceCorrelation", { write(s.priceCorrelation, to: &$0) }),
            ("quote", { write(s.quote, to: &$0) }),
            ("returnCorrelation", { write(s.returnCorrelation, to: &$0) }),
            ("spread", { write(s.spread, to: &$0) }),
            ("spreadMean", { write(s.spreadMean, to: &$0) }),
            ("spreadStandardDeviation", { write(s.spreadStandardDeviation, to: &$0) }),
            ("timestamps", { out in writeList(s.timestamps, to: &out) { $1.append(contentsOf: String($0.milliseconds).utf8) } }),
            ("zScore", { write(s.zScore, to: &$0) }),
        ]
        var out: [UInt8] = []
        out.reserveCapacity(64 + 20 * s.timestamps.count * columns.count)
        out.append(UInt8(ascii: "{"))
        for (index, column) in columns.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "\"\(column.name)\":".utf8)
            column.write(&out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ values: [Double], to out: inout [UInt8]) {
        writeList(values, to: &out) { number($0, to: &$1) }
    }

    private static func write(_ values: [Double?], to out: inout [UInt8]) {
        writeList(values, to: &out) { value, out in
            if let value { number(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
        }
    }

    private static func writeList<T>(_ values: [T], to out: inout [UInt8], _ element: (T, inout [UInt8]) -> Void) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            element(value, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private static func number(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(contentsOf: (value.isNaN ? "\"NaN\"" : value > 0 ? "\"Infinity\"" : "\"-Infinity\"").utf8)
            return
        }
        let text = value.description
        if text.hasSuffix(".0") { out.append(contentsOf: text.utf8.dropLast(2)) } else { out.append(contentsOf: text.utf8) }
    }
}
