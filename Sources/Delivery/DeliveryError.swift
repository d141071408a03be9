/// Why a delivery failed; `description` is one line saying what, where and (for SMTP) what the server answered.
/// Never contains credentials.
public enum DeliveryError: Error, CustomStringConvertible, Equatable, Sendable {
    // MARK: Configuration and input
    /// An e-mail address that does not parse.
    case invalidAddress(String)
    /// Credentials could not be read: which source, and why.
    case missingCredentials(source: String, reason: String)
    /// A file name that is not a single safe path component (folder delivery, attachments).
    case unsafeFileName(String)
    /// A local file could not be read or written.
    case fileError(path: String, reason: String)

    // MARK: SMTP
    /// TCP (or TLS) connection could not be made.
    case connectionFailed(host: String, port: Int, reason: String)
    /// The server closed the connection while we waited for a reply to `stage`.
    case connectionClosed(host: String, stage: String)
    /// No complete exchange within the configured timeout.
    case timedOut(host: String, after: Duration)
    /// A reply code other than the one expected: the command, and the server's answer.
    case unexpectedReply(command: String, code: Int, message: String)
    /// A reply line that is not `NNN[ -]text`.
    case malformedReply(String)
    /// STARTTLS was required but the server does not offer it.
    case startTLSUnavailable(host: String)
    /// The TLS handshake or a TLS read failed.
    case tlsFailed(host: String, reason: String)
    /// The server sent more behind its 220 reply to STARTTLS, before TLS began: bytes that would otherwise be read as
    /// if they had come over TLS (plaintext injection). Not retried.
    case plaintextAfterStartTLS(host: String)
    /// Credentials were configured but the server offers none of the mechanisms we speak (PLAIN, LOGIN).
    case authenticationUnavailable(offered: [String])
    /// Refused to send credentials over an unencrypted connection.
    case insecureAuthentication(host: String)
    /// The server rejected the credentials.
    case authenticationFailed(code: Int, message: String)

    // MARK: Retries
    /// Every attempt failed; the last error.
    indirect case failedAfterRetries(attempts: Int, last: DeliveryError)

    public var description: String {
        switch self {
        case .invalidAddress(let text):
            "invalid e-mail address \"\(text)\": expected local@domain or Name <local@domain>"
        case .missingCredentials(let source, let reason):
            "SMTP credentials from \(source): \(reason)"
        case .unsafeFileName(let name):
            "unsafe file name \"\(name)\": expected a single file name without '/', '..' or a leading '.'"
        case .fileError(let path, let reason):
            "\(path): \(reason)"
        case .connectionFailed(let host, let port, let reason):
            "SMTP \(host):\(port): cannot connect: \(reason)"
        case .connectionClosed(let host, let stage):
            "SMTP \(host): connection closed by the server during \(stage)"
        case .timedOut(let host, let after):
            "SMTP \(host): no answer within \(after)"
        case .unexpectedReply(let command, let code, let message):
            "SMTP \(command): server answered \(code) \(message)"
        case .malformedReply(let line):
            "SMTP: malformed reply line \"\(line.prefix(80))\""
        case .startTLSUnavailable(let host):
            "SMTP \(host): STARTTLS required but not offered by the server"
        case .tlsFailed(let host, let reason):
            "SMTP \(host): TLS failed: \(reason)"
        case .plaintextAfterStartTLS(let host):
            "SMTP \(host): the server sent data after its 220 reply to STARTTLS, before TLS began; refused (plaintext injection)"
        case .authenticationUnavailable(let offered):
            "SMTP: the server offers no supported AUTH mechanism (offered: \(offered.isEmpty ? "none" : offered.joined(separator: " ")); supported: PLAIN LOGIN)"
        case .insecureAuthentication(let host):
            "SMTP \(host): refusing to send credentials without TLS (use STARTTLS or TLS, or allow it explicitly for a local relay)"
        case .authenticationFailed(let code, let message):
            "SMTP AUTH: server answered \(code) \(message)"
        case .failedAfterRetries(let attempts, let last):
            "\(last) (after \(attempts) attempts)"
        }
    }

    /// Whether trying again later may succeed: network trouble, timeouts and 4xx replies; not 5xx, bad input or
    /// rejected credentials.
    public var isTransient: Bool {
        switch self {
        case .connectionFailed, .connectionClosed, .timedOut, .tlsFailed:
            true
        case .unexpectedReply(_, let code, _):
            (400..<500).contains(code)
        case .authenticationFailed(let code, _):
            (400..<500).contains(code)
        case .fileError:
            true
        default:
            false
        }
    }
}
