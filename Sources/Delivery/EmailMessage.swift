import Market

/// A file attached to an e-mail.
public struct EmailAttachment: Sendable, Equatable {
    /// The name the recipient sees; a single file name (no directories).
    public var filename: String
    /// The MIME type, e.g. `application/pdf`.
    public var contentType: String
    public var data: [UInt8]

    public init(filename: String, contentType: String, data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }

    /// The MIME type for a file name's extension (`application/octet-stream` when unknown).
    public static func contentType(forFileName name: String) -> String {
        switch name.split(separator: ".").last?.lowercased() {
        case "pdf": "application/pdf"
        case "html", "htm": "text/html; charset=utf-8"
        case "csv": "text/csv; charset=utf-8"
        case "png": "image/png"
        case "txt": "text/plain; charset=utf-8"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }
}

/// An e-mail with a UTF-8 text body and attachments, rendered as an RFC 5322 / MIME message.
///
/// The text body is `text/plain; charset=utf-8` in quoted-printable (default) or Base64; attachments are Base64
/// with `Content-Disposition: attachment; filename=…` (RFC 2231 for non-ASCII names). A non-ASCII subject or display
/// name is RFC 2047-encoded. With attachments the message is `multipart/mixed`. Every line ends in CRLF and is at most
/// 78 characters (998 for headers that cannot fold), so the message is 7-bit clean.
///
/// ```swift
/// let message = EmailMessage(
///     from: try EmailAddress(parsing: "pairbook <reports@example.com>"), to: [try EmailAddress("quant@example.com")],
///     subject: "BTCUSDT/ETHUSDT — daily summary", text: "2 findings:\n• spread stretched (z = 2.4)",
///     attachments: [EmailAttachment(filename: "report.pdf", contentType: "application/pdf", data: pdfBytes)],
///     date: now)
/// let bytes = message.rendered()
/// ```
public struct EmailMessage: Sendable {
    /// How the text body is encoded for transfer.
    public enum BodyEncoding: Sendable {
        case quotedPrintable
        case base64
    }

    public var from: EmailAddress
    public var to: [EmailAddress]
    public var subject: String
    /// The body text (UTF-8; `\n` or `\r\n` line breaks).
    public var text: String
    public var attachments: [EmailAttachment]
    /// The `Date:` header (rendered in UTC, `+0000`).
    public var date: Timestamp
    /// The `Message-ID:` without angle brackets; generated from the date, randomness and the sender's domain by default.
    public var messageID: String
    public var bodyEncoding: BodyEncoding

    public init(
        from: EmailAddress, to: [EmailAddress], subject: String, text: String, attachments: [EmailAttachment] = [],
        date: Timestamp, messageID: String? = nil, bodyEncoding: BodyEncoding = .quotedPrintable
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.attachments = attachments
        self.date = date
        self.bodyEncoding = bodyEncoding
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "pairbook.invalid"
        self.messageID = messageID ?? "\(date.compactUTC).\(Self.randomHex(8))@\(domain)"
    }

    // MARK: - Rendering

    /// The whole message (headers and body) with CRLF line breaks, ready for SMTP `DATA` (before dot-stuffing).
    ///
    /// - Parameter boundary: the multipart boundary; random by default (tests pass a fixed one).
    public func rendered(boundary: String? = nil) -> [UInt8] {
        var out = ""
        func header(_ name: String, _ value: String) { out += "\(name): \(value)\r\n" }
        header("Date", Self.rfc5322Date(date))
        header("From", Self.mailbox(from))
        header("To", Self.foldedList(to.map(Self.mailbox), headerName: "To"))
        header("Subject", MIMEEncoding.encodedWords(subject.replacing("\r", with: " ").replacing("\n", with: " ")))
        header("Message-ID", "<\(messageID)>")
        header("MIME-Version", "1.0")
        header("X-Mailer", "pairbook")

        let textPart = bodyPart()
        if attachments.isEmpty {
            out += textPart
            return Array(out.utf8)
        }
        let boundary = boundary ?? "=_pairbook_\(Self.randomHex(12))"
        header("Content-Type", "multipart/mixed;\r\n boundary=\"\(boundary)\"")
        out += "\r\nThis is a multi-part message in MIME format.\r\n"
        out += "--\(boundary)\r\n"
        out += textPart
        for attachment in attachments {
            out += "\r\n--\(boundary)\r\n"
            out += Self.attachmentPart(attachment)
        }
        out += "\r\n--\(boundary)--\r\n"
        return Array(out.utf8)
    }

    /// Headers and content of the text part (ends with CRLF).
    private func bodyPart() -> String {
        var part = "Content-Type: text/plain; charset=utf-8\r\n"
        switch bodyEncoding {
        case .quotedPrintable:
            part += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            part += MIMEEncoding.quotedPrintable(text)
            part += "\r\n"
        case .base64:
            part += "Content-Transfer-Encoding: base64\r\n\r\n"
            part += MIMEEncoding.base64Lines(Array(text.replacing("\r\n", with: "\n").replacing("\n", with: "\r\n").utf8))
        }
        return part
    }

    private static func attachmentPart(_ attachment: EmailAttachment) -> String {
        let name = attachment.filename
        let nameParameter: String
        let dispositionParameter: String
        if MIMEEncoding.isPlainHeaderText(name), !name.contains("\""), !name.contains("\\") {
            nameParameter = "name=\"\(name)\""
            dispositionParameter = "filename=\"\(name)\""
        } else {
            nameParameter = "name=\"\(MIMEEncoding.encodedWords(name).replacing("\r\n ", with: " "))\""
            dispositionParameter = "filename*=UTF-8''\(MIMEEncoding.percentEncoded(name))"
        }
        var part = "Content-Type: \(attachment.contentType);\r\n \(nameParameter)\r\n"
        part += "Content-Disposition: attachment;\r\n \(dispositionParameter)\r\n"
        part += "Content-Transfer-Encoding: base64\r\n\r\n"
        part += MIMEEncoding.base64Lines(attachment.data)
        return part
    }

    // MARK: - Header helpers

    static func mailbox(_ mailbox: EmailAddress) -> String {
        guard let name = mailbox.displayName else { return mailbox.address }
        return "\(MIMEEncoding.phrase(name)) <\(mailbox.address)>"
    }

    /// `a, b, c`, folded onto continuation lines so that no line passes 78 characters where avoidable.
    static func foldedList(_ items: [String], headerName: String) -> String {
        var result = ""
        var column = headerName.count + 2
        for (index, item) in items.enumerated() {
            let piece = index == 0 ? item : ", \(item)"
            if index > 0, column + piece.count > 78 {
                result += ",\r\n \(item)"
                column = 1 + item.count
            } else {
                result += piece
                column += piece.count
            }
        }
        return result
    }

    /// `Tue, 24 Nov 2026 20:07:24 +0000` (RFC 5322 §3.3, in UTC).
    static func rfc5322Date(_ time: Timestamp) -> String {
        let c = time.civil
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[c.weekday]), \(c.day) \(months[c.month - 1]) \(c.year) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    static func randomHex(_ byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for _ in 0..<byteCount {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
