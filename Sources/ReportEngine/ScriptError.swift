import Market

/// A report script, a parameter or an output path that cannot be used as given.
///
/// Every case that comes from a file carries its ``SourceLocation``; ``description`` is one line,
/// `Reports/x.md:12: unknown key 'treshold' in chart cell: expected one of …`.
public enum ScriptError: Error, CustomStringConvertible, Equatable {
    /// The script (or a params or alerts file) cannot be read.
    case cannotRead(path: String, reason: String)
    /// The text at `location` is not what the format expects.
    case syntax(SourceLocation, expected: String)
    /// A value at `location` is wrong; `message` says what was expected.
    case invalid(SourceLocation, message: String)
    /// A key that the format does not know (front matter, a cell, a parameter declaration).
    case unknownKey(SourceLocation, key: String, in: String, expected: [String])
    /// A cell fenced as `pairbook` whose type is none of the known ones.
    case unknownCellType(SourceLocation, found: String, expected: [String])
    /// A `{{placeholder}}` that names no parameter and no computed value.
    case unknownPlaceholder(SourceLocation, name: String)
    /// `-p key=value` or `--params` names a parameter the script does not declare.
    case unknownParameter(name: String, source: String, known: [String])
    /// A parameter value that does not parse as the declared type.
    case invalidParameter(name: String, value: String, expected: String, source: String)
    /// A cell or alert rule that parsed but cannot be executed (e.g. a symbol with no data).
    case invalidCell(SourceLocation, reason: String)
    /// An output path that would leave the output folder.
    case unsafeOutputPath(String)

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .syntax(let location, let expected):
            return "\(location): expected \(expected)"
        case .invalid(let location, let message):
            return "\(location): \(message)"
        case .unknownKey(let location, let key, let context, let expected):
            return "\(location): unknown key '\(key)' in \(context): expected one of \(expected.joined(separator: ", "))"
        case .unknownCellType(let location, let found, let expected):
            return "\(location): unknown cell type '\(found)': expected one of \(expected.joined(separator: ", "))"
        case .unknownPlaceholder(let location, let name):
            return "\(location): unknown placeholder {{\(name)}}: expected a parameter or a computed value such as pair.hedge_ratio, adf.pvalue, window.start"
        case .unknownParameter(let name, let source, let known):
            return "\(source): unknown parameter '\(name)': the script declares \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case .invalidParameter(let name, let value, let expected, let source):
            return "\(source): parameter '\(name)' = '\(value)': expected \(expected)"
        case .invalidCell(let location, let reason):
            return "\(location): \(reason)"
        case .unsafeOutputPath(let path):
            return "output path '\(path)' would leave the output folder"
        }
    }
}
