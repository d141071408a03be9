import Alerts
import Collector
import Delivery
import Foundation
import Market
import ReportEngine
import Yams

/// `pairbook.yaml`: every key optional; flags override.
public struct RunConfiguration: Decodable, Sendable {
    public var database: String?
    public var symbols: [String]?
    public var stream: StreamKind?
    public var endpoint: String?
    public var restEndpoint: String?
    public var timeframes: [String]?
    public var reports: [String]?
    public var output: String?
    public var listen: String?
    public var catchUp: Bool?
    public var maxDataAge: String?
    public var shutdownGraceSeconds: Int?
    public var keepReportsFor: String?
    /// `keep_ticks_for: 30d`: trades older than this are removed (bars kept); absent or `forever`: all kept.
    public var keepTicksFor: String?
    public var token: String?
    public var shareSymbols: Bool?
    /// `collect: false`: a report worker (reports, dashboard, live alerts) over a database that collectors elsewhere fill.
    public var collect: Bool?
    /// `redis://host:port[/db]`: the live buffer's server.
    public var redis: String?
    public var delivery: DeliveryConfiguration?

    public struct DeliveryConfiguration: Decodable, Sendable {
        public var folder: String?
        public var email: EmailConfiguration?

        enum CodingKeys: String, CodingKey, CaseIterable { case folder, email }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "delivery")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            folder = try c.decodeIfPresent(String.self, forKey: .folder)
            email = try c.decodeIfPresent(EmailConfiguration.self, forKey: .email)
        }
    }

    public struct EmailConfiguration: Decodable, Sendable {
        public var to: [String]
        public var from: String
        public var attach: [String]?
        public var smtp: SMTPSettings

        enum CodingKeys: String, CodingKey, CaseIterable { case to, from, attach, smtp }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "delivery.email")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            to = try c.decode([String].self, forKey: .to)
            from = try c.decode(String.self, forKey: .from)
            attach = try c.decodeIfPresent([String].self, forKey: .attach)
            smtp = try c.decode(SMTPSettings.self, forKey: .smtp)
        }
    }

    public struct SMTPSettings: Decodable, Sendable {
        public var host: String
        public var port: Int?
        public var security: SMTPConfiguration.Security?
        public var auth: SMTPConfiguration.AuthMethod?
        public var usernameEnv: String?
        public var passwordEnv: String?
        public var credentialsFile: String?
        public var allowInsecureAuth: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case host, port, security, auth
            case usernameEnv = "username_env", passwordEnv = "password_env", credentialsFile = "credentials_file"
            case allowInsecureAuth = "allow_insecure_auth"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "delivery.email.smtp")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            host = try c.decode(String.self, forKey: .host)
            port = try c.decodeIfPresent(Int.self, forKey: .port)
            security = try c.decodeIfPresent(SMTPConfiguration.Security.self, forKey: .security)
            auth = try c.decodeIfPresent(SMTPConfiguration.AuthMethod.self, forKey: .auth)
            usernameEnv = try c.decodeIfPresent(String.self, forKey: .usernameEnv)
            passwordEnv = try c.decodeIfPresent(String.self, forKey: .passwordEnv)
            credentialsFile = try c.decodeIfPresent(String.self, forKey: .credentialsFile)
            allowInsecureAuth = try c.decodeIfPresent(Bool.self, forKey: .allowInsecureAuth)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case database, symbols, stream, endpoint, timeframes, reports, output, listen, delivery, token, redis, collect
        case catchUp = "catch_up", maxDataAge = "max_data_age", shutdownGraceSeconds = "shutdown_grace_seconds"
        case restEndpoint = "rest_endpoint", keepReportsFor = "keep_reports_for", shareSymbols = "share_symbols"
        case keepTicksFor = "keep_ticks_for"
    }

    public init() {}

    /// Decodes the file's keys; a key that is not one of ``CodingKeys`` (a typo such as `keep_report_for`) is an
    /// error naming it, never silently ignored.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "pairbook run configuration")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        database = try c.decodeIfPresent(String.self, forKey: .database)
        symbols = try c.decodeIfPresent([String].self, forKey: .symbols)
        stream = try c.decodeIfPresent(StreamKind.self, forKey: .stream)
        endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint)
        restEndpoint = try c.decodeIfPresent(String.self, forKey: .restEndpoint)
        timeframes = try c.decodeIfPresent([String].self, forKey: .timeframes)
        reports = try c.decodeIfPresent([String].self, forKey: .reports)
        output = try c.decodeIfPresent(String.self, forKey: .output)
        listen = try c.decodeIfPresent(String.self, forKey: .listen)
        catchUp = try c.decodeIfPresent(Bool.self, forKey: .catchUp)
        maxDataAge = try c.decodeIfPresent(String.self, forKey: .maxDataAge)
        shutdownGraceSeconds = try c.decodeIfPresent(Int.self, forKey: .shutdownGraceSeconds)
        keepReportsFor = try c.decodeIfPresent(String.self, forKey: .keepReportsFor)
        keepTicksFor = try c.decodeIfPresent(String.self, forKey: .keepTicksFor)
        delivery = try c.decodeIfPresent(DeliveryConfiguration.self, forKey: .delivery)
        token = try c.decodeIfPresent(String.self, forKey: .token)
        shareSymbols = try c.decodeIfPresent(Bool.self, forKey: .shareSymbols)
        redis = try c.decodeIfPresent(String.self, forKey: .redis)
        collect = try c.decodeIfPresent(Bool.self, forKey: .collect)
    }

    /// Reads and decodes the file; errors name the file.
    public static func load(_ path: String) throws -> RunConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError("--config \(path): cannot read the file")
        }
        do {
            // An empty file sets nothing, like an empty mapping.
            let root = try YAMLExpansionLimit.compose(String(decoding: data, as: UTF8.self)) ?? Node.mapping([:])
            return try YAMLDecoder().decode(RunConfiguration.self, from: root)
        } catch let error as DecodingError {
            throw RunError("--config \(path): \(Self.describe(error))")
        } catch {
            throw RunError("--config \(path): \(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key \(path(context)).\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
