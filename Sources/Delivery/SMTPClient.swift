import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A minimal SMTP submission client on SwiftNIO (RFC 5321): plain, STARTTLS (RFC 3207) or implicit TLS; `EHLO`
/// (falling back to `HELO`); `AUTH PLAIN` / `AUTH LOGIN` (RFC 4954); `MAIL FROM`, `RCPT TO`, `DATA` with
/// dot-stuffing; `QUIT`.
///
/// One call to ``send(_:)`` is one connection; the whole conversation is bounded by
/// ``SMTPConfiguration/timeout``. Commands are logged at trace level, AUTH exchanges never.
///
/// ```swift
/// let client = SMTPClient(configuration: smtp, logger: logger)
/// try await client.send(message)
/// ```
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    public init(
        configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Sends a message to all its `To:` recipients.
    ///
    /// - Throws: ``DeliveryError``.
    public func send(_ message: EmailMessage) async throws(DeliveryError) {
        try await send(from: message.from.address, to: message.to.map(\.address), data: message.rendered())
    }

    /// Sends raw message bytes (headers and body, CRLF line breaks) with the given envelope.
    ///
    /// - Throws: ``DeliveryError``.
    public func send(from sender: String, to recipients: [String], data: [UInt8]) async throws(DeliveryError) {
        let timeout = configuration.timeout
        let host = configuration.host
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.converse(from: sender, to: recipients, data: data) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw DeliveryError.timedOut(host: host, after: timeout)
                }
                try await group.next()
                group.cancelAll()
            }
        } catch let error as DeliveryError {
            throw error
        } catch {
            throw .connectionFailed(host: host, port: configuration.port, reason: "\(error)")
        }
    }

    // MARK: - Conversation

    private func converse(from sender: String, to recipients: [String], data: [UInt8]) async throws {
        let config = configuration
        let sslContext: NIOSSLContext?
        do {
            sslContext = config.security == .plain ? nil : try NIOSSLContext(configuration: config.tls)
        } catch {
            throw DeliveryError.tlsFailed(host: config.host, reason: "\(error)")
        }
        let serverName = config.effectiveServerName
        let ledger = SMTPInboundLedger()
        let channel: NIOAsyncChannel<String, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(.seconds(Int64(max(1, config.timeout.components.seconds))))
                .connect(host: config.host, port: config.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if config.security == .tls, let sslContext {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder(ledger: ledger)))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw DeliveryError.connectionFailed(host: config.host, port: config.port, reason: "\(error)")
        }
        var logger = self.logger
        logger[metadataKey: "smtp.host"] = "\(config.host):\(config.port)"

        try await channel.executeThenClose { inbound, outbound in
            let session = SMTPSession(
                lines: inbound.makeAsyncIterator(), outbound: outbound, host: config.host, logger: logger)

            try await session.expect(nil, stage: "greeting", codes: [220])
            var capabilities = try await session.hello(config.heloName)

            if config.security == .startTLS {
                guard capabilities.contains(where: { $0.uppercased() == "STARTTLS" }), let sslContext else {
                    throw DeliveryError.startTLSUnavailable(host: config.host)
                }
                try await session.expect("STARTTLS", codes: [220])
                let raw = channel.channel
                let linesRead = session.linesRead
                let started: Bool
                do {
                    // On the event loop, so no read can come between the check and the TLS handler: from here on
                    // every byte goes through TLS, and nothing that came before may be left unread.
                    started = try await raw.eventLoop.submit {
                        guard ledger.isDrained(linesRead: linesRead) else { return false }
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                        try raw.pipeline.syncOperations.addHandler(handler, position: .first)
                        return true
                    }.get()
                } catch {
                    throw DeliveryError.tlsFailed(host: config.host, reason: "\(error)")
                }
                guard started else { throw DeliveryError.plaintextAfterStartTLS(host: config.host) }
                capabilities = try await session.hello(config.heloName)
            }

            if let credentials = config.credentials {
                guard config.security != .plain || config.allowInsecureAuthentication else {
                    throw DeliveryError.insecureAuthentication(host: config.host)
                }
                try await session.authenticate(credentials, method: config.authMethod, capabilities: capabilities)
            }

            try await session.expect("MAIL FROM:<\(sender)>", codes: [250])
            for recipient in recipients {
                try await session.expect("RCPT TO:<\(recipient)>", codes: [250, 251])
            }
            try await session.expect("DATA", codes: [354])
            try await session.writeRaw(Self.dotStuffed(data))
            try await session.expect(nil, stage: "end of DATA", codes: [250])
            logger.debug("message accepted", metadata: ["smtp.recipients": "\(recipients.count)", "smtp.bytes": "\(data.count)"])
            // The message is accepted; a failing QUIT does not undo that.
            _ = try? await session.expect("QUIT", codes: [221])
        }
    }

    /// The message body for `DATA`: lines normalised to CRLF, a leading `.` doubled, ended by `CRLF . CRLF`.
    static func dotStuffed(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + data.count / 64 + 5)
        var atLineStart = true
        var index = 0
        while index < data.count {
            let byte = data[index]
            if atLineStart, byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            switch byte {
            case UInt8(ascii: "\r"):
                // CR LF or a lone CR: both become CRLF.
                out.append(contentsOf: [13, 10])
                if index + 1 < data.count, data[index + 1] == 10 { index += 1 }
                atLineStart = true
            case UInt8(ascii: "\n"):
                out.append(contentsOf: [13, 10])
                atLineStart = true
            default:
                out.append(byte)
                atLineStart = false
            }
            index += 1
        }
        if !atLineStart { out.append(contentsOf: [13, 10]) }
        out.append(contentsOf: Array(".\r\n".utf8))
        return out
    }
}

/// A reply: the three-digit code and the text of each line.
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]
    var text: String { lines.joined(separator: " ") }
}

/// One SMTP conversation over an async channel: read replies, send commands. Confined to one task.
final class SMTPSession {
    private var lines: NIOAsyncChannelInboundStream<String>.AsyncIterator
    /// How many reply lines have been read so far.
    private(set) var linesRead = 0
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let host: String
    private let logger: Logger

    init(
        lines: NIOAsyncChannelInboundStream<String>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        host: String, logger: Logger
    ) {
        self.lines = lines
        self.outbound = outbound
        self.host = host
        self.logger = logger
    }

    /// Reads one (possibly multi-line) reply.
    func readReply(stage: String) async throws -> SMTPReply {
        var texts: [String] = []
        while true {
            let next: String?
            do {
                next = try await lines.next()
            } catch let error as NIOSSLError {
                throw DeliveryError.tlsFailed(host: host, reason: "\(error)")
            } catch let error as BoringSSLError {
                throw DeliveryError.tlsFailed(host: host, reason: "\(error)")
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as DeliveryError {
                throw error
            } catch {
                throw DeliveryError.connectionClosed(host: host, stage: "\(stage) (\(error))")
            }
            guard let line = next else { throw DeliveryError.connectionClosed(host: host, stage: stage) }
            linesRead += 1
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)),
                bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
            else { throw DeliveryError.malformedReply(line) }
            texts.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") {
                return SMTPReply(code: code, lines: texts)
            }
        }
    }

    /// Sends `command` (if any), reads the reply and checks its code.
    ///
    /// - Parameter secret: the command carries credentials: log nothing of it, and name it `AUTH` in errors.
    @discardableResult
    func expect(_ command: String?, stage: String? = nil, codes: Set<Int>, secret: Bool = false) async throws -> SMTPReply {
        let label = stage ?? (secret ? "AUTH" : command.map(Self.verb) ?? "reply")
        if let command {
            if !secret { logger.trace("smtp send", metadata: ["smtp.command": "\(Self.verb(command))"]) }
            try await writeRaw(Array("\(command)\r\n".utf8))
        }
        let reply = try await readReply(stage: label)
        logger.trace("smtp reply", metadata: ["smtp.code": "\(reply.code)"])
        guard codes.contains(reply.code) else {
            if secret || label.hasPrefix("AUTH") {
                throw DeliveryError.authenticationFailed(code: reply.code, message: reply.text)
            }
            throw DeliveryError.unexpectedReply(command: label, code: reply.code, message: reply.text)
        }
        return reply
    }

    func writeRaw(_ bytes: [UInt8]) async throws {
        do {
            try await outbound.write(ByteBuffer(bytes: bytes))
        } catch {
            throw DeliveryError.connectionClosed(host: host, stage: "write (\(error))")
        }
    }

    /// `EHLO` (or `HELO` if refused); returns the capability lines (`STARTTLS`, `AUTH PLAIN LOGIN`, …).
    func hello(_ name: String) async throws -> [String] {
        try await writeRaw(Array("EHLO \(name)\r\n".utf8))
        let reply = try await readReply(stage: "EHLO")
        if reply.code == 250 { return Array(reply.lines.dropFirst()) }
        guard (500..<600).contains(reply.code) else {
            throw DeliveryError.unexpectedReply(command: "EHLO", code: reply.code, message: reply.text)
        }
        try await expect("HELO \(name)", codes: [250])
        return []
    }

    /// AUTH PLAIN or LOGIN, as offered and configured.
    func authenticate(_ credentials: SMTPCredentials, method: SMTPConfiguration.AuthMethod, capabilities: [String]) async throws {
        let offered = capabilities.compactMap { line -> [String]? in
            let upper = line.uppercased()
            guard upper.hasPrefix("AUTH ") || upper.hasPrefix("AUTH=") else { return nil }
            return upper.dropFirst(5).split(separator: " ").map(String.init)
        }.flatMap { $0 }
        let useMethod: SMTPConfiguration.AuthMethod
        switch method {
        case .automatic where offered.contains("PLAIN"): useMethod = .plain
        case .automatic where offered.contains("LOGIN"): useMethod = .login
        case .automatic: throw DeliveryError.authenticationUnavailable(offered: offered)
        case .plain, .login:
            guard offered.contains(method.rawValue.uppercased()) else {
                throw DeliveryError.authenticationUnavailable(offered: offered)
            }
            useMethod = method
        }
        logger.debug("smtp authenticating", metadata: ["smtp.auth": "\(useMethod.rawValue)"])
        switch useMethod {
        case .plain:
            let token = MIMEEncoding.base64([0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8))
            try await expect("AUTH PLAIN \(token)", codes: [235], secret: true)
        default:
            try await expect("AUTH LOGIN", codes: [334], secret: true)
            try await expect(MIMEEncoding.base64(Array(credentials.username.utf8)), codes: [334], secret: true)
            try await expect(MIMEEncoding.base64(Array(credentials.password.utf8)), codes: [235], secret: true)
        }
    }

    /// The command word(s) for logs and errors: `MAIL FROM`, `RCPT TO`, `DATA`, `QUIT`.
    static func verb(_ command: String) -> String {
        if let colon = command.firstIndex(of: ":") { return String(command[..<colon]) }
        return String(command.prefix { $0 != " " })
    }
}

/// What the line decoder has seen: the reply lines it passed on and the bytes it holds that make no line yet. With the
/// session's count of lines read, it tells whether anything arrived that nobody has read (STARTTLS must start on a
/// quiet connection).
final class SMTPInboundLedger: Sendable {
    private let state = Mutex((lines: 0, pendingBytes: 0))

    func record(lines: Int, pendingBytes: Int) {
        state.withLock { $0 = ($0.lines + lines, pendingBytes) }
    }

    /// True when the session has read every line decoded so far and no partial line is buffered.
    func isDrained(linesRead: Int) -> Bool {
        state.withLock { $0.lines == linesRead && $0.pendingBytes == 0 }
    }
}

/// Splits the inbound bytes into reply lines (without the CRLF). Lines over 4 KiB are an error.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String
    let ledger: SMTPInboundLedger

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 4096 { throw DeliveryError.malformedReply("reply line longer than 4096 bytes") }
            ledger.record(lines: 0, pendingBytes: buffer.readableBytes)
            return .needMoreData
        }
        var length = newline - buffer.readerIndex
        if length > 0, buffer.getInteger(at: newline - 1, as: UInt8.self) == 13 { length -= 1 }
        guard let line = buffer.getString(at: buffer.readerIndex, length: length) else { return .needMoreData }
        buffer.moveReaderIndex(to: newline + 1)
        ledger.record(lines: 1, pendingBytes: buffer.readableBytes)
        context.fireChannelRead(Self.wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
