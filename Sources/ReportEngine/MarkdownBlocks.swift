import Market

/// A small Markdown block model for the PDF renderer: headings, paragraphs, list items, code and rules.
///
/// Inline markup is reduced to plain text (`**b**` → `b`, `[t](u)` → `t`, `` `c` `` → `c`); the HTML renderer
/// uses Ink for the full syntax.
enum MarkdownBlock: Equatable {
    case heading(level: Int, text: String)
    case paragraph(String)
    case listItem(marker: String, text: String)
    case code(String)
    case rule

    static func parse(_ markdown: String) -> [MarkdownBlock] {
        var blocks: [MarkdownBlock] = []
        var paragraph: [String] = []
        var code: [String]?
        func flush() {
            if !paragraph.isEmpty { blocks.append(.paragraph(plain(paragraph.joined(separator: " ")))) }
            paragraph = []
        }
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let line = raw.trimmingWhitespace()
            if code != nil {
                if line.hasPrefix("```") || line.hasPrefix("~~~") {
                    blocks.append(.code(code!.joined(separator: "\n")))
                    code = nil
                } else {
                    code!.append(raw)
                }
                continue
            }
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                flush()
                code = []
            } else if line.isEmpty {
                flush()
            } else if line.hasPrefix("#") {
                flush()
                let level = line.prefix { $0 == "#" }.count
                blocks.append(.heading(level: level, text: plain(String(line.dropFirst(level)).trimmingWhitespace())))
            } else if line == "---" || line == "***" || line == "___" {
                flush()
                blocks.append(.rule)
            } else if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") {
                flush()
                blocks.append(.listItem(marker: "•", text: plain(String(line.dropFirst(2)))))
            } else if let dot = line.firstIndex(of: "."), line[..<dot].allSatisfy(\.isNumber), !line[..<dot].isEmpty,
                      line[line.index(after: dot)...].hasPrefix(" ") {
                flush()
                blocks.append(.listItem(marker: String(line[...dot]), text: plain(String(line[line.index(after: dot)...]).trimmingWhitespace())))
            } else if case .listItem(let marker, let text)? = blocks.last, paragraph.isEmpty, raw.hasPrefix("  ") {
                blocks[blocks.count - 1] = .listItem(marker: marker, text: text + " " + plain(line))
            } else {
                paragraph.append(line)
            }
        }
        if let code { blocks.append(.code(code.joined(separator: "\n"))) }
        flush()
        return blocks
    }

    /// Inline Markdown reduced to its text.
    static func plain(_ text: String) -> String {
        var out = ""
        var chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                out.append(chars[i + 1])
                i += 2
                continue
            }
            if c == "[", let close = chars[i...].firstIndex(of: "]"), close + 1 < chars.count, chars[close + 1] == "(",
               let end = chars[(close + 1)...].firstIndex(of: ")") {
                out += String(chars[(i + 1)..<close])
                i = end + 1
                continue
            }
            if c == "*" || c == "`" || (c == "_" && (i == 0 || chars[i - 1] == " " || i + 1 == chars.count || chars[i + 1] == " "
                                                       || chars[i + 1] == "_" || chars[i - 1] == "_")) {
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        chars.removeAll()
        return out
    }
}
