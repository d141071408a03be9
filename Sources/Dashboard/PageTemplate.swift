import Foundation
import Mustache

/// The dashboard's page shell (`templates/dashboard/index.mustache`), loaded once; every value is HTML-escaped.
struct PageTemplate: Sendable {
    private let library: MustacheLibrary
    /// `templates/dashboard`.
    let directory: String

    init(directory: String) throws {
        let path = directory + "/index.mustache"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw DashboardError.missingFile(path: path) }
        var library = MustacheLibrary()
        do { try library.register(text, named: "index") } catch { throw DashboardError.missingFile(path: "\(path) (\(error))") }
        self.library = library
        self.directory = directory
    }

    /// The page for one view (`script` names the report script of a live script page).
    func render(csrf: String, title: String, script: String? = nil) -> String {
        var context: [String: Any] = ["csrf": csrf, "title": title]
        if let script { context["script"] = script }
        return library.render(context, withTemplate: "index") ?? ""
    }
}
