import Foundation
import Mustache

/// The HTML templates (`templates/*.mustache`) and stylesheet (`templates/report.css`), loaded once per process.
///
/// `report.mustache` is the page; the other `.mustache` files are its partials (`{{> table}}`).
public struct TemplateSet: Sendable {
    let library: MustacheLibrary
    /// The stylesheet, inlined into every page.
    public let css: String
    /// Where the templates were read from.
    public let directory: String

    /// Loads every `*.mustache` and `report.css` of `directory`.
    ///
    /// - Throws: ``ScriptError/cannotRead(path:reason:)`` when a file is missing or a template does not parse.
    public init(directory: String) throws {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else {
            throw ScriptError.cannotRead(path: directory, reason: "templates folder not found")
        }
        var library = MustacheLibrary()
        for name in names.sorted() where name.hasSuffix(".mustache") {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } catch {
                throw ScriptError.cannotRead(path: path, reason: "invalid template: \(error)")
            }
        }
        guard library.getTemplate(named: "report") != nil else {
            throw ScriptError.cannotRead(path: directory, reason: "report.mustache is missing")
        }
        let cssPath = (directory as NSString).appendingPathComponent("report.css")
        guard let css = try? String(contentsOfFile: cssPath, encoding: .utf8) else {
            throw ScriptError.cannotRead(path: cssPath, reason: "stylesheet missing")
        }
        self.library = library
        self.css = css
        self.directory = directory
    }

    /// The templates folder: `explicit` (`--templates`), else `$PAIRBOOK_TEMPLATES`, else the `templates/` folder of
    /// the installation (found from the executable's path), else the source checkout's. Never the current directory's:
    /// a `templates/` folder wherever pairbook happens to run must not change what it writes.
    public static func locate(explicit: String? = nil) -> String {
        let fm = FileManager.default
        var candidates: [String] = []
        if let explicit { candidates.append(explicit) }
        if let env = ProcessInfo.processInfo.environment["PAIRBOOK_TEMPLATES"], !env.isEmpty { candidates.append(env) }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("templates").path)
            dir = dir.deletingLastPathComponent()
        }
        // Sources/ReportEngine/TemplateSet.swift → ../../templates
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates").path)
        for c in candidates where fm.fileExists(atPath: c + "/report.mustache") { return c }
        return explicit ?? candidates[0]
    }

    func render(_ context: [String: Any]) -> String? {
        library.render(context, withTemplate: "report")
    }
}
