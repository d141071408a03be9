import Foundation
import NIOCore
import NIOSSL

/// Where and how to send mail.
///
/// ```swift
/// var smtp = SMTPConfiguration(host: "smtp.example.com", port: 587, security: .startTLS)
/// smtp.credentials = try SMTPCredentials.fromEnvironment()      // PAIRBOOK_SMTP_USER / PAIRBOOK_SMTP_PASSWORD
/// ```
public struct SMTPConfiguration: Sendable {
    /// How the connection is protected.
    public enum Security: String, Sendable, Codable, CaseIterable {
        /// No TLS (a local relay; credentials refused unless ``SMTPConfiguration/allowInsecureAuthentication``).
        case plain
        /// Plain connect, then `STARTTLS` (required: fails if the server does not offer it). Usually port 587.
        case startTLS = "starttls"
        /// TLS from the first byte (SMTPS). Usually port 465.
        case tls
    }

    /// Which SASL mechanism to use when credentials are set.
    public enum AuthMethod: String, Sendable, Codable {
        /// PLAIN if offered, else LOGIN.
        case automatic
        case plain
        case login
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var credentials: SMTPCredentials?
    public var authMethod: AuthMethod
    /// Allows AUTH over a connection without TLS (only for a relay on the same machine).
    public var allowInsecureAuthentication: Bool
    /// The name sent with `EHLO`.
    public var heloName: String
    /// The longest a whole conversation (connect to QUIT) may take.
    public var timeout: Duration
    /// TLS settings for ``Security/startTLS`` and ``Security/tls``: system trust roots and full verification by default.
    public var tls: TLSConfiguration
    /// The name to verify the certificate against and to send as SNI; the host by default (none for an IP address).
    public var tlsServerName: String?

    public init(
        host: String, port: Int? = nil, security: Security = .startTLS, credentials: SMTPCredentials? = nil,
        authMethod: AuthMethod = .automatic, allowInsecureAuthentication: Bool = false, heloName: String = "localhost",
        timeout: Duration = .seconds(60), tls: TLSConfiguration? = nil, tlsServerName: String? = nil
    ) {
        self.host = host
        self.port = port ?? (security == .tls ? 465 : security == .startTLS ? 587 : 25)
        self.security = security
        self.credentials = credentials
        self.authMethod = authMethod
        self.allowInsecureAuthentication = allowInsecureAuthentication
        self.heloName = heloName
        self.timeout = timeout
        var defaultTLS = TLSConfiguration.makeClientConfiguration()
        // Do not wait the default 5 s for the server's close_notify after QUIT.
        defaultTLS.shutdownTimeout = .milliseconds(200)
        self.tls = tls ?? defaultTLS
        self.tlsServerName = tlsServerName
    }

    /// The SNI / verification name: ``tlsServerName``, or the host unless it is an IP address.
    var effectiveServerName: String? {
        if let tlsServerName { return tlsServerName }
        let isIPv4 = host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
        let isIPv6 = host.contains(":")
        return isIPv4 || isIPv6 ? nil : host
    }
}

/// A user name and password for SMTP AUTH. Its `description` never shows the password, and the client never logs
/// either.
public struct SMTPCredentials: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "SMTPCredentials(username: \(username), password: <redacted>)" }

    /// Reads the user name and password from environment variables.
    ///
    /// - Throws: ``DeliveryError/missingCredentials(source:reason:)`` naming the variable that is unset or empty.
    public static func fromEnvironment(
        userVariable: String = "PAIRBOOK_SMTP_USER", passwordVariable: String = "PAIRBOOK_SMTP_PASSWORD",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(DeliveryError) -> SMTPCredentials {
        guard let user = environment[userVariable], !user.isEmpty else {
            throw .missingCredentials(source: "environment", reason: "\(userVariable) is not set")
        }
        guard let password = environment[passwordVariable], !password.isEmpty else {
            throw .missingCredentials(source: "environment", reason: "\(passwordVariable) is not set")
        }
        return SMTPCredentials(username: user, password: password)
    }

    /// Reads credentials from a file: the user name on the first line and the password on the second
    /// (trailing CR/LF removed; nothing else is trimmed, so passwords may contain spaces).
    ///
    /// - Throws: ``DeliveryError/missingCredentials(source:reason:)`` when the file is unreadable or short.
    public static func fromFile(_ path: String) throws(DeliveryError) -> SMTPCredentials {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .missingCredentials(source: path, reason: "cannot read the file")
        }
        // Split on LF bytes (a Swift Character would keep CR LF together), then drop a trailing CR.
        let lines = Array(data).split(separator: 10, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 13 ? line.dropLast() : line[...], as: UTF8.self)
        }
        guard lines.count >= 2, !lines[0].isEmpty, !lines[1].isEmpty else {
            throw .missingCredentials(source: path, reason: "expected the user name on line 1 and the password on line 2")
        }
        return SMTPCredentials(username: lines[0], password: lines[1])
    }
}
