import Foundation
import Market
import Yams

/// The parameter values of one run: the script's defaults, then a `--params` file, then `-p key=value`.
///
/// Every value is typed by its declaration, so `-p window=2` stays an int and `-p base=btcusdt` becomes the
/// symbol `BTCUSDT`; a key the script does not declare is an error (papermill silently adds it).
public struct ReportParameters: Sendable, Hashable {
    /// Declarations in script order.
    public let declarations: [ParamDeclaration]
    /// Current values by name.
    public private(set) var values: [String: ParamValue]

    /// The script's defaults.
    public init(declarations: [ParamDeclaration]) {
        self.declarations = declarations
        self.values = Dictionary(uniqueKeysWithValues: declarations.map { ($0.name, $0.defaultValue) })
    }

    /// The value of `name`, if declared.
    public subscript(name: String) -> ParamValue? { values[name] }

    /// Names in declaration order.
    public var names: [String] { declarations.map(\.name) }

    /// Sets `name` from command-line text (`-p name=text`).
    ///
    /// - Throws: ``ScriptError/unknownParameter(name:source:known:)`` or ``ScriptError/invalidParameter(name:value:expected:source:)``.
    public mutating func set(_ name: String, text: String, source: String = "-p") throws {
        guard let declaration = declarations.first(where: { $0.name == name }) else {
            throw ScriptError.unknownParameter(name: name, source: source, known: names)
        }
        guard let value = declaration.type.parse(text) else {
            throw ScriptError.invalidParameter(name: name, value: text, expected: declaration.type.expectation, source: source)
        }
        values[name] = value
    }

    /// Applies `-p key=value` arguments in order.
    ///
    /// - Throws: ``ScriptError/syntax(_:expected:)``-like errors for text without `=`, and the errors of ``set(_:text:source:)``.
    public mutating func apply(assignments: [String]) throws {
        for assignment in assignments {
            guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
                throw ScriptError.invalidParameter(name: assignment, value: "", expected: "key=value", source: "-p")
            }
            let key = String(assignment[..<eq]).trimmingWhitespace()
            try set(key, text: String(assignment[assignment.index(after: eq)...]), source: "-p \(key)")
        }
    }

    /// Applies a YAML mapping of overrides (`--params FILE.yaml`).
    ///
    /// - Throws: ``ScriptError/cannotRead(path:reason:)``, YAML errors with file:line, unknown or invalid parameters.
    public mutating func apply(paramsFile path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScriptError.cannotRead(path: path, reason: error.localizedDescription)
        }
        let source = YAMLSource(file: path, firstLine: 1, text: text)
        guard let root = try source.compose() else { return }
        guard let mapping = root.mapping else {
            throw ScriptError.syntax(source.location(root.mark), expected: "a mapping of parameter names to values")
        }
        for (keyNode, valueNode) in mapping {
            let name = keyNode.scalarText ?? ""
            guard let declaration = declarations.first(where: { $0.name == name }) else {
                throw ScriptError.unknownParameter(name: name, source: source.location(keyNode.mark).description, known: names)
            }
            values[name] = try ParamDeclaration.parseValue(valueNode, as: declaration.type, name: name, source: source)
        }
    }

    /// `{"base":"BTCUSDT","window":60,…}` in declaration order, for `report_runs.params`.
    public var json: String {
        JSONText.object(declarations.compactMap { d in values[d.name].map { (d.name, $0.json) } })
    }
}
