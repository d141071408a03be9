/// How urgent a firing alert is; findings are ordered by severity, most severe first.
public enum AlertSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case info
    case warning
    case critical

    /// Rank for ordering: info 0, warning 1, critical 2.
    public var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs.rank < rhs.rank }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let severity = AlertSeverity(rawValue: text.lowercased()) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "unknown severity '\(text)': expected info, warning or critical"))
        }
        self = severity
    }
}
