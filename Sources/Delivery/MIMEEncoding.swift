/// The transfer and header encodings a MIME message needs, without Foundation: Base64 (RFC 4648, lines of 76),
/// quoted-printable (RFC 2045 §6.7) and encoded words (RFC 2047). All O(n) in the input size.
enum MIMEEncoding {
    // MARK: - Base64

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Base64 of `bytes` on one line.
    static func base64<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next()
            let b2 = iterator.next()
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)])
            out.append(b1.map { alphabet[Int(($0 & 0x0F) << 2 | (b2 ?? 0) >> 6)] } ?? UInt8(ascii: "="))
            out.append(b2.map { alphabet[Int($0 & 0x3F)] } ?? UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Base64 of `bytes` in CRLF-separated lines of at most 76 characters (a body part's content).
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Array(base64(bytes).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count + encoded.count / 76 * 2 + 2)
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            out.append(contentsOf: encoded[start..<end])
            out.append(contentsOf: [13, 10])
            start = end
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Quoted-printable

    /// Quoted-printable of UTF-8 text: line breaks become CRLF, lines are at most 76 characters (soft breaks `=`),
    /// `=`, control and non-ASCII bytes become `=XX`, and spaces or tabs before a line break are encoded.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        let normalized = text.replacing("\r\n", with: "\n")
        let lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            var column = 0
            for (i, byte) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                let literal =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 0x20 || byte == 0x09) && !isLast)
                let token: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                // Keep room for a soft break '=' unless this token ends the line.
                let limit = isLast ? 76 : 75
                if column + token.count > limit {
                    out.append(contentsOf: [UInt8(ascii: "="), 13, 10])
                    column = 0
                }
                out.append(contentsOf: token)
                column += token.count
            }
            if index < lines.count - 1 { out.append(contentsOf: [13, 10]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Header words (RFC 2047)

    /// Whether a header value can go out as it is: printable ASCII and spaces only.
    static func isPlainHeaderText(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// The text as RFC 2047 `=?UTF-8?B?…?=` words of at most 75 characters each, split between characters (never
    /// inside a UTF-8 sequence), joined by `CRLF SPACE` (a header fold). Plain ASCII text is returned unchanged.
    static func encodedWords(_ text: String) -> String {
        guard !isPlainHeaderText(text) else { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(character.utf8)
            if chunk.count + bytes.count > 45, !chunk.isEmpty {  // 45 bytes → 60 Base64 characters + 12 = 72
                words.append("=?UTF-8?B?\(base64(chunk))?=")
                chunk = []
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(base64(chunk))?=") }
        return words.joined(separator: "\r\n ")
    }

    /// A display name as a header phrase: as is when it is plain atoms, quoted when it has specials, encoded words
    /// when it is not ASCII.
    static func phrase(_ name: String) -> String {
        guard isPlainHeaderText(name) else { return encodedWords(name) }
        let specials = Set("()<>[]:;@\\,.\"".utf8)
        guard name.utf8.contains(where: { specials.contains($0) }) else { return name }
        let escaped = name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    /// RFC 2231 percent-encoding of a UTF-8 parameter value (`filename*=UTF-8''…`).
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            let isAttrChar =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "!#$&+-.^_`|~".utf8.contains(byte)
            if isAttrChar {
                out.append(byte)
            } else {
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
