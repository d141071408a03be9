import Foundation

/// Makes the HTML of a script's prose safe to show, in a report's HTML and on a live page: the tags Markdown produces stay (without their
/// attributes, but for a link's `href`), every other tag becomes visible text, and a link whose URL is not http(s),
/// mailto or relative loses its `href`, so a `javascript:` link cannot be clicked.
///
/// The input is the engine's Markdown HTML (Ink: text already escaped, attributes double-quoted). A tag longer than
/// ``longestTag`` characters is shown as text. O(n) in the length of the input.
public enum ProseSanitizer {
    /// Tags kept (lower case).
    static let allowedTags: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote",
        "hr", "br", "del", "a", "table", "thead", "tbody", "tr", "th", "td",
    ]

    /// The longest tag kept as a tag (a link with a long URL fits).
    static let longestTag = 4096

    /// A start or end tag with double-quoted attributes (nil only if the constant patterns failed to compile, in which
    /// case every tag is shown as text).
    private static let tag = try? NSRegularExpression(
        pattern: #"^<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[A-Za-z_:][-A-Za-z0-9_:.]*(?:="[^"<>]*")?)*)\s*/?>"#)
    private static let href = try? NSRegularExpression(pattern: #"\shref="([^"]*)""#)

    public static func sanitise(_ html: String) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count)
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            let candidate = String(rest[open...].prefix(longestTag))
            let range = NSRange(candidate.startIndex..., in: candidate)
            if let match = tag?.firstMatch(in: candidate, range: range),
               let whole = Range(match.range, in: candidate), let nameRange = Range(match.range(at: 2), in: candidate),
               allowedTags.contains(candidate[nameRange].lowercased()) {
                let closing = match.range(at: 1).length > 0
                let name = candidate[nameRange].lowercased()
                var rebuilt = "<" + (closing ? "/" : "") + name
                if !closing, name == "a", let attributes = Range(match.range(at: 3), in: candidate) {
                    let text = String(candidate[attributes])
                    if let m = href?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                       let url = Range(m.range(at: 1), in: text), isSafeURL(String(text[url])) {
                        rebuilt += " href=\"\(text[url])\" rel=\"noopener noreferrer\""
                    }
                }
                out += rebuilt + ">"
                rest = rest[rest.index(open, offsetBy: candidate.distance(from: candidate.startIndex, to: whole.upperBound))...]
            } else {
                out += "&lt;"
                rest = rest[rest.index(after: open)...]
            }
        }
        out += rest
        return out
    }

    /// http(s), mailto, a fragment, or a relative URL whose first segment holds no `:` (no scheme) and no `&` (no
    /// entity that could spell one), and no whitespace or control characters anywhere.
    static func isSafeURL(_ url: String) -> Bool {
        guard !url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }) else {
            return false
        }
        let lower = url.lowercased()
        if ["http://", "https://", "mailto:", "#", "/"].contains(where: lower.hasPrefix) { return true }
        let head = lower.prefix { !"/?#".contains($0) }
        return !head.contains(":") && !head.contains("&")
    }
}
