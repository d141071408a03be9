/// A coding key that accepts any string, used to find keys a type does not know.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension Decoder {
    /// Throws a `DecodingError.dataCorrupted` whose coding path ends at the first key of the current mapping that
    /// is not in `known`, with a message listing the known keys.
    ///
    /// Codable silently ignores unknown keys; a misspelt `treshold:` in a script must be an error instead.
    /// Call it first in `init(from:)` of types decoded from user-written YAML.
    public func rejectUnknownKeys(allowed known: some Sequence<String>, in what: String) throws {
        let known = Set(known)
        let container = try container(keyedBy: AnyCodingKey.self)
        let unknown = container.allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
        if let first = unknown.first {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [AnyCodingKey(stringValue: first)],
                debugDescription: "unknown key '\(first)' in \(what): expected one of \(known.sorted().joined(separator: ", "))"))
        }
    }
}
