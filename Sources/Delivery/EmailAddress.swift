import Market

/// A mailbox: an address and an optional display name, as in `Pairbook Reports <reports@example.com>`.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible, Codable {
    /// `local@domain`, ASCII.
    public var address: String
    /// The human name shown by mail clients (UTF-8 allowed; RFC 2047-encoded in headers when needed).
    public var displayName: String?

    /// Creates a mailbox, checking the address.
    ///
    /// - Throws: ``DeliveryError/invalidAddress(_:)`` unless `address` is `local@domain` in printable ASCII without
    ///   spaces, angle brackets or line breaks.
    public init(_ address: String, displayName: String? = nil) throws(DeliveryError) {
        guard Self.isValid(address) else { throw .invalidAddress(address) }
        self.address = address
        self.displayName = displayName.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Parses `local@domain` or `Display Name <local@domain>` (the name may be quoted).
    ///
    /// - Throws: ``DeliveryError/invalidAddress(_:)``.
    public init(parsing text: String) throws(DeliveryError) {
        let trimmed = text.trimmingWhitespace()
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var name = String(trimmed[..<open]).trimmingWhitespace()
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
            guard !name.contains(where: { $0 == "\r" || $0 == "\n" }) else { throw .invalidAddress(text) }
            do {
                try self.init(address, displayName: name)
            } catch {
                throw .invalidAddress(text)
            }
        } else {
            try self.init(trimmed)
        }
    }

    /// `Name <address>` or `address`.
    public var description: String {
        guard let displayName else { return address }
        return "\(displayName) <\(address)>"
    }

    static func isValid(_ address: String) -> Bool {
        let bytes = Array(address.utf8)
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1, bytes.count <= 254 else {
            return false
        }
        let domain = bytes[(at + 1)...]
        guard !domain.contains(UInt8(ascii: "@")), domain.first != UInt8(ascii: "."), domain.last != UInt8(ascii: ".") else {
            return false
        }
        return bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: ",") }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
