import Foundation
import Market
import Yams

/// A piece of YAML inside a file (front matter, a cell body, a params file), with the line it starts on, so
/// that every YAML or decoding error names the file and line.
struct YAMLSource {
    /// The file, as shown in messages.
    var file: String
    /// The file line of the YAML text's first line.
    var firstLine: Int
    /// The YAML text.
    var text: String

    func location(_ mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: firstLine + max(0, (mark?.line ?? 1) - 1))
    }

    func location(ofLine yamlLine: Int) -> SourceLocation {
        SourceLocation(file: file, line: firstLine + max(0, yamlLine - 1))
    }

    /// Parses the text into a node tree (nil for an empty document).
    ///
    /// - Throws: ``ScriptError/syntax(_:expected:)`` at the line libyaml reports; ``ScriptError/invalid(_:message:)``
    ///   for a document whose aliases expand beyond ``YAMLExpansionLimit``.
    func compose() throws -> Node? {
        do {
            return try YAMLExpansionLimit.compose(text)
        } catch let error as YAMLExpansionLimit.Exceeded {
            throw ScriptError.invalid(location(ofLine: 1), message: "YAML \(error)")
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw ScriptError.syntax(location(mark), expected: "valid YAML (\(problem))")
            case .duplicatedKeysInMapping(let duplicates, _):
                throw ScriptError.syntax(location(ofLine: 1), expected: "each key once (\(duplicates.joined(separator: ", ")) repeated)")
            default:
                throw ScriptError.syntax(location(ofLine: 1), expected: "valid YAML (\(error))")
            }
        }
    }

    /// Decodes `node` as `T`, turning a `DecodingError` into a ``ScriptError`` at the line of the offending node.
    func decode<T: Decodable>(_ type: T.Type, from node: Node, what: String) throws -> T {
        do {
            return try YAMLDecoder().decode(type, from: node)
        } catch let error as DecodingError {
            throw scriptError(error, root: node, what: what)
        } catch let error as ScriptError {
            throw error
        } catch {
            throw ScriptError.invalid(location(node.mark), message: "\(error) (in \(what))")
        }
    }

    /// The script error for a decoding error, located at the deepest node of its coding path.
    func scriptError(_ error: DecodingError, root: Node, what: String) -> ScriptError {
        func locate(_ path: [any CodingKey]) -> (SourceLocation, String) {
            var node = root
            var mark = root.mark
            for key in path {
                if let mapping = node.mapping, let child = mapping[key.stringValue] {
                    node = child
                } else if let sequence = node.sequence, let i = key.intValue, i < sequence.count {
                    node = sequence[i]
                } else {
                    break
                }
                mark = node.mark ?? mark
            }
            let keyPath = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return (location(mark), keyPath)
        }
        switch error {
        case .dataCorrupted(let context):
            let (loc, _) = locate(context.codingPath)
            if let underlying = context.underlyingError { return .invalid(loc, message: "\(underlying)") }
            return .invalid(loc, message: context.debugDescription)
        case .keyNotFound(let key, let context):
            let (loc, _) = locate(context.codingPath)
            return .syntax(loc, expected: "key '\(key.stringValue)' in \(what)")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let (loc, keyPath) = locate(context.codingPath)
            return .syntax(loc, expected: "\(Self.describe(type)) for '\(keyPath)' in \(what)")
        @unknown default:
            return .syntax(location(root.mark), expected: "a valid \(what)")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is String.Type: "a text"
        default: "a value of type \(type)"
        }
    }
}

extension Node {
    /// The text of a scalar node.
    var scalarText: String? { scalar?.string }
}
