import Foundation
import Monitoring
import ReportEngine

/// The report scripts of the reports folder, parsed afresh on each look (a script edited on disk shows at once).
/// A script that does not parse is listed with its error instead of hiding the others.
struct ScriptCatalog {
    struct Entry {
        var name: String
        var path: String
        var script: ReportScript?
        var error: String?
    }

    let directory: String?

    /// Every `*.md` script except `README.md`, by name.
    func entries() -> [Entry] {
        guard let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.sorted().filter { $0.hasSuffix(".md") && $0 != "README.md" && SafeFile.isSafeComponent($0) }.map { file in
            let path = directory + "/" + file
            do {
                let script = try ReportScript(contentsOf: path)
                return Entry(name: script.name, path: path, script: script)
            } catch {
                return Entry(name: String(file.dropLast(3)), path: path, error: "\(error)")
            }
        }
    }

    /// The script named `name` (its report name or its file name without `.md`).
    func entry(named name: String) -> Entry? {
        entries().first { $0.name == name || URL(fileURLWithPath: $0.path).deletingPathExtension().lastPathComponent == name }
    }
}

extension Dashboard {
    var scripts: ScriptCatalog { ScriptCatalog(directory: configuration.reportsDirectory) }

    func scriptPath(named name: String) throws -> String? { scripts.entry(named: name)?.path }
}
