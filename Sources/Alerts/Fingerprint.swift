import Market

/// A stable identity for an alert — a rule evaluated on one subject — for de-duplication across runs.
///
/// FNV-1a 64-bit over `name \u{1F} metric \u{1F} subject \u{1F} timeframe`, as 16 lower-case hex digits.
/// The same on every platform and every run (Swift's `Hasher` is seeded per process, so it is not used).
public enum Fingerprint {
    /// The fingerprint of `rule` on `subject` (a pair such as `BTCUSDT/ETHUSDT`, or a symbol).
    public static func of(_ rule: AlertRule, subject: String) -> String {
        let tf = rule.timeframe?.description ?? ""
        return fnv1a64Hex([rule.name, rule.metric.rawValue, subject, tf].joined(separator: "\u{1F}"))
    }

    /// FNV-1a 64-bit hash of the UTF-8 bytes of `text`, 16 hex digits. O(n).
    public static func fnv1a64Hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
