import Foundation

/// Just enough MIME parsing to check what the server received, independently of the code under test.
enum MIMETestParser {
    struct Part {
        var headers: [String: String]
        var body: String
    }

    /// Splits a message into lower-cased, unfolded headers and the body.
    static func split(_ raw: String) -> Part {
        let text = raw
        guard let end = text.range(of: "\r\n\r\n") else { return Part(headers: [:], body: text) }
        let head = String(text[..<end.lowerBound]).replacingOccurrences(of: "\r\n ", with: " ")
            .replacingOccurrences(of: "\r\n\t", with: " ")
        var headers: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Part(headers: headers, body: String(text[end.upperBound...]))
    }

    /// The parts of a multipart body.
    static func parts(of message: Part) -> [Part] {
        guard let contentType = message.headers["content-type"], let range = contentType.range(of: "boundary=\"") else {
            return []
        }
        let boundary = contentType[range.upperBound...].prefix { $0 != "\"" }
        let pieces = message.body.components(separatedBy: "--\(boundary)")
        // pieces[0] is the preamble; the last starts with "--" (the close delimiter).
        return pieces.dropFirst().filter { !$0.hasPrefix("--") }.map { piece in
            var piece = piece
            if piece.hasPrefix("\r\n") { piece.removeFirst() }
            if piece.hasSuffix("\r\n") { piece.removeLast() }
            return split(piece)
        }
    }

    static func base64(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text.replacingOccurrences(of: "\r\n", with: "")).map(Array.init)
    }

    static func quotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.utf8)
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "=") {
                if i + 2 < input.count, input[i + 1] == 13, input[i + 2] == 10 {
                    i += 3  // soft line break
                    continue
                }
                if i + 2 < input.count, let value = UInt8(String(decoding: input[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                    bytes.append(value)
                    i += 3
                    continue
                }
            }
            bytes.append(input[i])
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
