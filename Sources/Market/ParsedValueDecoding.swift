extension SingleValueDecodingContainer {
    /// Decodes a string and parses it with `parse`; a text that does not parse is a `DecodingError` at this value's
    /// coding path, so whoever reports it can name the field (`for: invalid duration '-5m' …`, or a script's line and
    /// column), with the parser's own message as its description and underlying error.
    func decodeParsed<T>(_ parse: (String) throws -> T) throws -> T {
        let text = try decode(String.self)
        do {
            return try parse(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(error)", underlyingError: error))
        }
    }
}
