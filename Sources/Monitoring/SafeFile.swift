/// File names that may be served over HTTP, and their content types.
///
/// Every served path is built from components that pass ``isSafeComponent(_:)``, so no request reaches outside the
/// folder it names (no `..`, no `/`, no hidden files).
public enum SafeFile {
    /// Whether `component` is one plain path component: `[A-Za-z0-9._-]+`, not starting with `.`, at most 255 bytes.
    public static func isSafeComponent(_ component: some StringProtocol) -> Bool {
        guard let first = component.utf8.first, first != UInt8(ascii: "."), component.utf8.count <= 255 else {
            return false
        }
        return component.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// The `Content-Type` of a file, from its extension.
    public static func contentType(of file: some StringProtocol) -> String {
        switch file.split(separator: ".").last?.lowercased() {
        case "html", "htm": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        case "pdf": "application/pdf"
        case "csv": "text/csv; charset=utf-8"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }
}
