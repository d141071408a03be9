import Foundation
import Mustache

/// The dashboard's page shells (`templates/dashboard/index.mustache`, and `report.mustache` for a report script's
/// live page), loaded once; every value is HTML-escaped.
struct PageTemplate: Sendable {
    private let library: MustacheLibrary
    /// `templates/dashboard`.
    let directory: String

    init(directory: String) throws {
        var library = MustacheLibrary()
        for name in ["index", "report"] {
            let path = directory + "/\(name).mustache"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw DashboardError.missingFile(path: path) }
            do { try library.register(text, named: name) } catch { throw DashboardError.missingFile(path: "\(path) (\(error))") }
        }
        self.library = library
        self.directory = directory
    }

    /// The dashboard's page.
    func render(csrf: String, title: String) -> String {
        library.render(["csrf": csrf, "title": title], withTemplate: "index") ?? ""
    }

    /// The live page of the report script `script`.
    func renderScriptPage(csrf: String, title: String, script: String) -> String {
        library.render(["csrf": csrf, "title": title, "script": script], withTemplate: "report") ?? ""
    }
}
