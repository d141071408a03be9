import Market
import Yams

/// A parameter declared in a script's front matter: name, type and default.
///
/// Two spellings:
/// ```yaml
/// params:
///   base: BTCUSDT                 # bare default: type inferred (by name, then by value)
///   window: { type: int, default: 60, min: 2, description: "rolling window in bars" }
///   mode: { type: enum, values: [fast, full], default: fast }
///   symbols: { type: list, of: symbol, default: [BTCUSDT, ETHUSDT] }
/// ```
public struct ParamDeclaration: Sendable, Hashable {
    /// The name used in `-p name=…` and `{{name}}`.
    public var name: String
    /// The declared (or inferred) type.
    public var type: ParamType
    /// The value when not overridden.
    public var defaultValue: ParamValue
    /// The `description` of the declaration.
    public var help: String?
    /// Where it is declared.
    public var location: SourceLocation

    /// Creates a declaration.
    public init(name: String, type: ParamType, defaultValue: ParamValue, help: String? = nil, location: SourceLocation) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.help = help
        self.location = location
    }

    static let declarationKeys = ["type", "default", "min", "max", "values", "of", "description"]

    /// The type a bare default gets from a well-known parameter name, if any.
    static func typeByName(_ name: String) -> ParamType? {
        switch name {
        case "base", "quote", "symbol": .symbol
        case "pair": .pair
        case "pairs": .list(.pair)
        case "symbols": .list(.symbol)
        case "timeframe": .timeframe
        case "lookback", "duration", "stale_after": .duration
        case "at", "date", "start", "end": .date
        default: nil
        }
    }

    /// Parses one `name: …` entry of the `params` mapping.
    static func parse(name: String, node: Node, source: YAMLSource) throws -> ParamDeclaration {
        let location = source.location(node.mark)
        guard isValidName(name) else {
            throw ScriptError.invalid(location, message: "parameter name '\(name)': expected letters, digits and _ (starting with a letter)")
        }
        if let mapping = node.mapping, mapping["type"] != nil {
            for key in mapping.keys.compactMap(\.scalarText) where !declarationKeys.contains(key) {
                throw ScriptError.unknownKey(source.location(mapping[key]?.mark), key: key, in: "declaration of parameter '\(name)'",
                                             expected: declarationKeys)
            }
            let type = try declaredType(name: name, mapping: mapping, source: source)
            guard let defaultNode = mapping["default"] else {
                throw ScriptError.syntax(location, expected: "a default for parameter '\(name)' (default: …)")
            }
            let value = try parseValue(defaultNode, as: type, name: name, source: source)
            return ParamDeclaration(name: name, type: type, defaultValue: value, help: mapping["description"]?.scalarText,
                                    location: location)
        }
        let type = try inferredType(name: name, node: node, source: source)
        return ParamDeclaration(name: name, type: type, defaultValue: try parseValue(node, as: type, name: name, source: source),
                                location: location)
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    private static func declaredType(name: String, mapping: Node.Mapping, source: YAMLSource) throws -> ParamType {
        let typeNode = mapping["type"]
        let typeName = typeNode?.scalarText ?? ""
        func number(_ key: String) throws -> Double? {
            guard let node = mapping[key] else { return nil }
            guard let text = node.scalarText, let v = Double(text) else {
                throw ScriptError.syntax(source.location(node.mark), expected: "a number for \(key) of parameter '\(name)'")
            }
            return v
        }
        func integer(_ key: String) throws -> Int? {
            guard let v = try number(key) else { return nil }
            // `Int(v)` would trap on 1e300, inf or nan.
            guard let whole = Int(exactly: v) else {
                throw ScriptError.syntax(source.location(mapping[key]?.mark), expected: "a whole number for \(key) of parameter '\(name)'")
            }
            return whole
        }
        switch typeName {
        case "int":
            return .int(min: try integer("min"), max: try integer("max"))
        case "float": return .float(min: try number("min"), max: try number("max"))
        case "bool": return .bool
        case "string": return .string
        case "duration": return .duration
        case "timeframe": return .timeframe
        case "symbol": return .symbol
        case "pair": return .pair
        case "date": return .date
        case "enum":
            guard let values = mapping["values"]?.sequence?.compactMap(\.scalarText), !values.isEmpty else {
                throw ScriptError.syntax(source.location(typeNode?.mark), expected: "values: [a, b, …] for enum parameter '\(name)'")
            }
            return .enumeration(values)
        case "list":
            let elementName = mapping["of"]?.scalarText ?? "string"
            let element: ParamType
            switch elementName {
            case "int": element = .int(min: nil, max: nil)
            case "float": element = .float(min: nil, max: nil)
            case "string": element = .string
            case "symbol": element = .symbol
            case "pair": element = .pair
            case "timeframe": element = .timeframe
            case "duration": element = .duration
            case "date": element = .date
            default:
                throw ScriptError.syntax(source.location(mapping["of"]?.mark), expected:
                    "of: int, float, string, symbol, pair, timeframe, duration or date for list parameter '\(name)'")
            }
            return .list(element)
        default:
            throw ScriptError.syntax(source.location(typeNode?.mark),
                                     expected: "type: one of \(ParamType.names.joined(separator: ", ")) for parameter '\(name)'")
        }
    }

    private static func inferredType(name: String, node: Node, source: YAMLSource) throws -> ParamType {
        if let byName = typeByName(name) { return byName }
        if let sequence = node.sequence {
            let first = sequence.first.flatMap(\.scalarText) ?? ""
            if (try? Pair(parsing: first)) != nil { return .list(.pair) }
            if (try? Symbol(parsing: first)) != nil, first == first.uppercased(), Int(first) == nil { return .list(.symbol) }
            return .list(.string)
        }
        guard let scalar = node.scalar else {
            throw ScriptError.syntax(source.location(node.mark), expected: "a value or { type: …, default: … } for parameter '\(name)'")
        }
        let text = scalar.string
        if scalar.style == .plain {
            if Int(text) != nil { return .int(min: nil, max: nil) }
            if Double(text) != nil { return .float(min: nil, max: nil) }
            if ["true", "false"].contains(text.lowercased()) { return .bool }
        }
        if (try? TimeSpan(parsing: text)) != nil { return .duration }
        if text.count >= 10, (try? Timestamp(parsing: text)) != nil, text.contains("-") { return .date }
        return .string
    }

    /// Parses a YAML value (scalar, or sequence for lists) as `type`.
    static func parseValue(_ node: Node, as type: ParamType, name: String, source: YAMLSource) throws -> ParamValue {
        let value: ParamValue?
        let shown: String
        if let sequence = node.sequence {
            let items = sequence.compactMap(\.scalarText)
            value = items.count == sequence.count ? type.parse(items: items) : nil
            shown = "[" + items.joined(separator: ", ") + "]"
        } else if let text = node.scalarText {
            value = type.parse(text)
            shown = text
        } else {
            value = nil
            shown = "a mapping"
        }
        guard let value else {
            throw ScriptError.invalidParameter(name: name, value: shown, expected: type.expectation,
                                               source: source.location(node.mark).description)
        }
        return value
    }
}
