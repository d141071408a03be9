import Foundation
import Market
import Testing

@testable import Delivery

struct MIMEEncodingTests {
    @Test("Base64 matches RFC 4648 test vectors", arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func base64(input: String, expected: String) {
        #expect(MIMEEncoding.base64(Array(input.utf8)) == expected)
    }

    @Test("Base64 lines are 76 characters and decode to the input")
    func base64Lines() {
        let bytes = (0..<1000).map { UInt8($0 % 256) }
        let text = MIMEEncoding.base64Lines(bytes)
        let lines = text.components(separatedBy: "\r\n").dropLast()
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        #expect(Data(base64Encoded: lines.joined()).map(Array.init) == bytes)
    }

    @Test("quoted-printable encodes '=', non-ASCII and trailing spaces, and soft-breaks at 76")
    func quotedPrintable() {
        #expect(MIMEEncoding.quotedPrintable("a=b") == "a=3Db")
        #expect(MIMEEncoding.quotedPrintable("Zoë") == "Zo=C3=AB")
        #expect(MIMEEncoding.quotedPrintable("end \nnext\t") == "end=20\r\nnext=09")
        #expect(MIMEEncoding.quotedPrintable("one\r\ntwo") == "one\r\ntwo")
        let long = String(repeating: "x", count: 200)
        let encoded = MIMEEncoding.quotedPrintable(long)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("=") })
        #expect(encoded.replacingOccurrences(of: "=\r\n", with: "") == long)
        // A 3-character escape is never split by a soft break.
        let mixed = String(repeating: "é", count: 60)
        #expect(MIMEEncoding.quotedPrintable(mixed).components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 && !$0.hasSuffix("==") })
    }

    @Test("RFC 2047 words are ≤ 75 characters and never split a character")
    func encodedWords() {
        #expect(MIMEEncoding.encodedWords("plain subject") == "plain subject")
        let subject = "Übersicht 📈 " + String(repeating: "ü", count: 40)
        let words = MIMEEncoding.encodedWords(subject).components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") })
        let decoded = words.map { word -> [UInt8] in
            let payload = word.dropFirst(10).dropLast(2)
            return Data(base64Encoded: String(payload)).map(Array.init) ?? []
        }
        // Each word decodes to valid UTF-8 on its own, and together to the subject.
        #expect(decoded.allSatisfy { String(validating: $0, as: UTF8.self) != nil })
        #expect(String(decoding: decoded.flatMap { $0 }, as: UTF8.self) == subject)
    }

    @Test("display names are quoted or encoded as needed", arguments: [
        ("Pairbook Reports", "Pairbook Reports"), ("Doe, Jane", "\"Doe, Jane\""), ("Zoë", "=?UTF-8?B?Wm/Dqw==?="),
    ])
    func phrase(name: String, expected: String) {
        #expect(MIMEEncoding.phrase(name) == expected)
    }
}

struct EmailMessageTests {
    private func message(attachments: [EmailAttachment]) throws -> EmailMessage {
        EmailMessage(
            from: try EmailAddress(parsing: "Pairbook <reports@example.com>"),
            to: [try EmailAddress("a@example.com"), try EmailAddress("b@example.com")], subject: "Daily summary",
            text: "Hello\n.dot line\n", attachments: attachments, date: try Timestamp(parsing: "2024-02-29T07:05:09Z"),
            messageID: "fixed@example.com")
    }

    @Test("a message with an attachment has RFC 5322 headers and a multipart/mixed body")
    func rendered() throws {
        let pdf = EmailAttachment(filename: "report.pdf", contentType: "application/pdf", data: Array("%PDF-1.4".utf8))
        let text = String(decoding: try message(attachments: [pdf]).rendered(boundary: "BOUNDARY"), as: UTF8.self)
        let expected = [
            "Date: Thu, 29 Feb 2024 07:05:09 +0000",
            "From: Pairbook <reports@example.com>",
            "To: a@example.com, b@example.com",
            "Subject: Daily summary",
            "Message-ID: <fixed@example.com>",
            "MIME-Version: 1.0",
            "X-Mailer: pairbook",
            "Content-Type: multipart/mixed;",
            " boundary=\"BOUNDARY\"",
            "",
            "This is a multi-part message in MIME format.",
            "--BOUNDARY",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Hello",
            ".dot line",
            "",
            "",
            "--BOUNDARY",
            "Content-Type: application/pdf;",
            " name=\"report.pdf\"",
            "Content-Disposition: attachment;",
            " filename=\"report.pdf\"",
            "Content-Transfer-Encoding: base64",
            "",
            "JVBERi0xLjQ=",
            "",
            "--BOUNDARY--",
            "",
        ].joined(separator: "\r\n")
        #expect(text == expected)
    }

    @Test("non-ASCII attachment names use RFC 2231")
    func nonASCIIFileName() throws {
        let attachment = EmailAttachment(filename: "Übersicht.pdf", contentType: "application/pdf", data: [1, 2, 3])
        let text = String(decoding: try message(attachments: [attachment]).rendered(boundary: "B"), as: UTF8.self)
        #expect(text.contains(" filename*=UTF-8''%C3%9Cbersicht.pdf\r\n"))
        #expect(text.utf8.allSatisfy { $0 < 0x80 })
    }

    @Test("without attachments the message is a single text/plain part")
    func textOnly() throws {
        let text = String(decoding: try message(attachments: []).rendered(), as: UTF8.self)
        #expect(text.contains("MIME-Version: 1.0\r\nX-Mailer: pairbook\r\nContent-Type: text/plain; charset=utf-8\r\n"))
        #expect(!text.contains("multipart"))
    }

    @Test("addresses parse and invalid ones are refused", arguments: [
        ("a@b.c", "a@b.c", nil), ("Jane Doe <jane@example.com>", "jane@example.com", "Jane Doe"),
        ("\"Doe, Jane\" <jane@example.com>", "jane@example.com", "Doe, Jane"),
    ] as [(String, String, String?)])
    func addresses(text: String, address: String, name: String?) throws {
        let parsed = try EmailAddress(parsing: text)
        #expect(parsed.address == address)
        #expect(parsed.displayName == name)
    }

    @Test("invalid addresses", arguments: ["", "nobody", "@example.com", "a@", "a b@example.com", "a@b.c\r\nBcc: x@y.z", "Name <>"])
    func invalidAddresses(text: String) {
        #expect(throws: DeliveryError.self) { try EmailAddress(parsing: text) }
    }
}
