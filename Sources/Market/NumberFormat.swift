import Foundation

/// Locale-independent, deterministic number text for summaries, tables and placeholders.
///
/// Uses the C `printf` formats (POSIX locale: `.` as decimal separator, no grouping), so the same
/// value always gives the same text on every machine — reports stay byte-identical between runs.
public enum NumberFormat {
    /// `value` with exactly `decimals` digits after the point, e.g. `fixed(2.3456, 2)` → `2.35`.
    /// Non-finite values give `–`. Negative zero prints as `0`.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        let d = max(0, min(decimals, 12))
        let text = String(format: "%.\(d)f", value)
        return isNegativeZero(text) ? String(text.dropFirst()) : text
    }

    /// A compact rendering that keeps about `significant` significant digits and drops trailing zeros:
    /// `2.0` → `2`, `0.000123456` → `0.0001235`, `61234.5678` → `61234.57`, `1.5e-12` → `1.5e-12`.
    public static func auto(_ value: Double, significant: Int = 4) -> String {
        guard value.isFinite else { return "–" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e15 || magnitude < 1e-6 {
            return trimExponent(String(format: "%.\(max(0, significant - 1))e", value))
        }
        let integerDigits = magnitude >= 1 ? Int(log10(magnitude).rounded(.down)) + 1 : 0
        var decimals: Int
        if magnitude >= 1 {
            decimals = max(2, significant - integerDigits)
            if integerDigits >= significant { decimals = 2 }
        } else {
            let leadingZeros = Int((-log10(magnitude)).rounded(.down))
            decimals = leadingZeros + significant
        }
        return trimZeros(fixed(value, decimals))
    }

    /// A percentage of a fraction: `percent(0.1234, 1)` → `12.3%`.
    public static func percent(_ fraction: Double, _ decimals: Int = 1) -> String {
        guard fraction.isFinite else { return "–" }
        return fixed(fraction * 100, decimals) + "%"
    }

    /// Thousands-grouped integer-ish rendering for volumes: `1234567.8` → `1,234,568`.
    public static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let rounded = fixed(value, 0)
        let negative = rounded.hasPrefix("-")
        let digits = Array(negative ? rounded.dropFirst() : Substring(rounded))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (negative ? "-" : "") + out
    }

    private static func isNegativeZero(_ text: String) -> Bool {
        text.hasPrefix("-") && text.dropFirst().allSatisfy { $0 == "0" || $0 == "." }
    }

    private static func trimZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var s = Substring(text)
        while s.last == "0" { s.removeLast() }
        if s.last == "." { s.removeLast() }
        return s == "-0" ? "0" : String(s)
    }

    private static func trimExponent(_ text: String) -> String {
        // 1.500e-12 → 1.5e-12
        guard let e = text.firstIndex(of: "e") else { return text }
        return trimZeros(String(text[..<e])) + "e" + text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")
    }
}
