import Alerts
import Foundation
import Market
import Yams

extension ReportScript {
    /// Keys allowed in the front matter.
    static let frontMatterKeys = ["title", "subtitle", "description", "params", "schedule", "formats", "alerts", "alerts_file", "on_trigger", "output"]

    /// Parameters every report understands; declared implicitly when the script does not declare them.
    static func standardParameters(file: String) -> [ParamDeclaration] {
        let here = SourceLocation(file: file, line: 1)
        return [
            ParamDeclaration(name: "timeframe", type: .timeframe, defaultValue: .timeframe(.oneMinute), help: "bar timeframe", location: here),
            ParamDeclaration(name: "lookback", type: .duration, defaultValue: .duration(.hours(24)), help: "window length", location: here),
            ParamDeclaration(name: "window", type: .int(min: 2, max: 100_000), defaultValue: .int(60), help: "rolling window in bars",
                             location: here),
        ]
    }

    /// Reads and parses the script at `path`.
    ///
    /// - Throws: ``ScriptError/cannotRead(path:reason:)``, or any parse error of ``init(text:path:)``.
    public init(contentsOf path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScriptError.cannotRead(path: path, reason: "no such file or not UTF-8 text")
        }
        try self.init(text: text, path: path)
    }

    /// Parses a script's text; `path` names it in errors and locates `alerts_file`.
    ///
    /// - Throws: a ``ScriptError`` naming the file and line of the first problem and what was expected there.
    public init(text: String, path: String) throws {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first?.trimmingWhitespace() == "---" else {
            throw ScriptError.syntax(SourceLocation(file: path, line: 1), expected: "front matter starting with a line '---'")
        }
        guard let close = lines.indices.dropFirst().first(where: { ["---", "..."].contains(lines[$0].trimmingWhitespace()) }) else {
            throw ScriptError.syntax(SourceLocation(file: path, line: 1), expected: "a line '---' closing the front matter")
        }
        let source = YAMLSource(file: path, firstLine: 2, text: lines[1..<close].joined(separator: "\n"))
        guard let root = try source.compose(), let front = root.mapping else {
            throw ScriptError.syntax(SourceLocation(file: path, line: 2), expected: "a YAML mapping with at least 'title:'")
        }
        for key in front.keys where !Self.frontMatterKeys.contains(key.scalarText ?? "") {
            throw ScriptError.unknownKey(source.location(key.mark), key: key.scalarText ?? "?", in: "front matter",
                                         expected: Self.frontMatterKeys)
        }

        // Title, schedule, formats, output name.
        guard let title = front["title"]?.scalarText, !title.isEmpty else {
            throw ScriptError.syntax(source.location(root.mark), expected: "title: \"…\" in the front matter")
        }
        let subtitle = front["subtitle"]?.scalarText ?? front["description"]?.scalarText
        var schedule: CronExpression?
        if let node = front["schedule"] {
            guard let text = node.scalarText else {
                throw ScriptError.syntax(source.location(node.mark), expected: "schedule: a cron expression such as \"5 * * * *\" (UTC)")
            }
            do {
                schedule = try CronExpression(parsing: text)
            } catch {
                throw ScriptError.invalid(source.location(node.mark), message: "\(error)")
            }
        }
        var formats = ReportFormat.allCases
        if let node = front["formats"] {
            let names = node.sequence?.compactMap(\.scalarText) ?? node.scalarText.map { $0.split(separator: ",").map { String($0).trimmingWhitespace() } } ?? []
            formats = try names.map { name in
                guard let f = ReportFormat(rawValue: name) else {
                    throw ScriptError.syntax(source.location(node.mark), expected: "formats: a list of html, pdf, csv (found '\(name)')")
                }
                return f
            }
            guard !formats.isEmpty else {
                throw ScriptError.syntax(source.location(node.mark), expected: "formats: at least one of html, pdf, csv")
            }
        }
        var name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if let output = front["output"] {
            guard let mapping = output.mapping else {
                throw ScriptError.syntax(source.location(output.mark), expected: "output: { name: <folder name> }")
            }
            for key in mapping.keys where key.scalarText != "name" {
                throw ScriptError.unknownKey(source.location(key.mark), key: key.scalarText ?? "?", in: "output", expected: ["name"])
            }
            if let node = mapping["name"] {
                guard let text = node.scalarText, OutputLayout.isSafeName(text) else {
                    throw ScriptError.syntax(source.location(node.mark), expected: "output name of letters, digits, '-', '_' and '.'")
                }
                name = text
            }
        }

        // Parameters.
        var declarations: [ParamDeclaration] = []
        if let params = front["params"] {
            guard let mapping = params.mapping else {
                throw ScriptError.syntax(source.location(params.mark), expected: "params: a mapping of names to defaults or declarations")
            }
            for (key, value) in mapping {
                declarations.append(try ParamDeclaration.parse(name: key.scalarText ?? "", node: value, source: source))
            }
        }
        for standard in Self.standardParameters(file: path) where !declarations.contains(where: { $0.name == standard.name }) {
            declarations.append(standard)
        }

        // Alerts.
        var alerts: [AlertRule] = []
        if let node = front["alerts"] {
            alerts += try Self.parseAlerts(node, source: source)
        }
        if let node = front["alerts_file"] {
            guard let relative = node.scalarText else {
                throw ScriptError.syntax(source.location(node.mark), expected: "alerts_file: a path to a YAML list of rules")
            }
            let alertsPath = relative.hasPrefix("/") ? relative
                : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(relative).path
            let text: String
            do {
                text = try String(contentsOfFile: alertsPath, encoding: .utf8)
            } catch {
                throw ScriptError.cannotRead(path: alertsPath, reason: "named by alerts_file at \(source.location(node.mark))")
            }
            alerts += try Self.alertRules(fileText: text, path: alertsPath)
        }
        do {
            try alerts.validate()
        } catch {
            throw ScriptError.invalid(source.location(front["alerts"]?.mark), message: error.description)
        }

        // Body.
        let known = Set(declarations.map(\.name) + Placeholder.computedNames)
        try PlaceholderScanner.validate(title, file: path, line: source.location(front["title"]?.mark).line, known: known)
        if let subtitle {
            try PlaceholderScanner.validate(subtitle, file: path, line: source.location((front["subtitle"] ?? front["description"])?.mark).line,
                                            known: known)
        }
        let blocks = try Self.parseBody(lines: lines, from: close + 1, path: path, known: known)

        var onTrigger: String?
        if let node = front["on_trigger"] {
            guard let command = node.scalarText, !command.trimmingWhitespace().isEmpty else {
                throw ScriptError.syntax(source.location(node.mark), expected: "on_trigger: a shell command")
            }
            onTrigger = command
        }
        self.init(path: path, name: name, title: title, subtitle: subtitle, schedule: schedule, formats: formats, alerts: alerts,
                  onTrigger: onTrigger, parameters: ReportParameters(declarations: declarations), blocks: blocks)
    }

    /// The rules of an alerts file (`alerts_file:`): a YAML list of rules, or a mapping whose `alerts:` is that list.
    ///
    /// - Throws: a ``ScriptError`` naming `path` and the line of the first rule that does not decode or validate.
    static func alertRules(fileText text: String, path: String) throws -> [AlertRule] {
        let source = YAMLSource(file: path, firstLine: 1, text: text)
        guard let root = try source.compose() else { return [] }
        return try parseAlerts(root.mapping?["alerts"] ?? root, source: source)
    }

    private static func parseAlerts(_ node: Node, source: YAMLSource) throws -> [AlertRule] {
        guard let sequence = node.sequence else {
            throw ScriptError.syntax(source.location(node.mark), expected: "alerts: a list of rules ({ name, metric, condition, threshold, … })")
        }
        return try sequence.map { item in
            let rule = try source.decode(AlertRule.self, from: item, what: "alert rule")
            do {
                try rule.validate()
            } catch {
                throw ScriptError.invalid(source.location(item.mark), message: "\(error)")
            }
            return rule
        }
    }

    /// Splits the body (0-based line index `start` onwards) into prose and cells.
    private static func parseBody(lines: [String], from start: Int, path: String, known: Set<String>) throws -> [Block] {
        var blocks: [Block] = []
        var prose: [String] = []
        var proseStart = start + 1
        var otherFence: String?
        var i = start

        func flushProse() throws {
            let text = prose.joined(separator: "\n")
            if !text.trimmingWhitespace().isEmpty {
                try PlaceholderScanner.validate(text, file: path, line: proseStart, known: known)
                blocks.append(.prose(text, line: proseStart))
            }
            prose = []
        }

        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmingWhitespace()
            if let fence = otherFence {
                prose.append(line)
                if trimmed == fence { otherFence = nil }
                i += 1
                continue
            }
            if isCellFence(trimmed) {
                try flushProse()
                let fenceLine = i + 1
                var body: [String] = []
                i += 1
                while i < lines.count, lines[i].trimmingWhitespace() != "```" {
                    body.append(lines[i])
                    i += 1
                }
                guard i < lines.count else {
                    throw ScriptError.syntax(SourceLocation(file: path, line: fenceLine), expected: "a line ``` closing this pairbook cell")
                }
                let text = body.joined(separator: "\n")
                try PlaceholderScanner.validate(text, file: path, line: fenceLine + 1, known: known)
                blocks.append(.cell(try parseCell(text, path: path, fenceLine: fenceLine)))
                i += 1
                proseStart = i + 1
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                otherFence = String(trimmed.prefix(3))
            }
            if prose.isEmpty { proseStart = i + 1 }
            prose.append(line)
            i += 1
        }
        try flushProse()
        return blocks
    }

    private static func isCellFence(_ trimmed: String) -> Bool {
        guard trimmed.hasPrefix("```") else { return false }
        let info = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces)
        return info == "pairbook" || info == "{pairbook}"
    }

    private static func parseCell(_ text: String, path: String, fenceLine: Int) throws -> Cell {
        let location = SourceLocation(file: path, line: fenceLine)
        let source = YAMLSource(file: path, firstLine: fenceLine + 1, text: text)
        guard let root = try source.compose(), let mapping = root.mapping else {
            throw ScriptError.syntax(location, expected: "a YAML mapping in the pairbook cell with one of \(Cell.types.joined(separator: ", "))")
        }
        let keys = mapping.keys.compactMap(\.scalarText)
        let typeKeys = keys.filter { Cell.types.contains($0) }
        guard typeKeys.count == 1, let type = typeKeys.first else {
            if typeKeys.count > 1 {
                throw ScriptError.syntax(location, expected: "one cell type per cell, found \(typeKeys.joined(separator: " and "))")
            }
            throw ScriptError.unknownCellType(source.location(mapping.keys.first?.mark), found: keys.first ?? "(empty)", expected: Cell.types)
        }
        let kind: Cell.Kind = switch type {
        case "chart": .chart(try source.decode(ChartCell.self, from: root, what: "chart cell"))
        case "table": .table(try source.decode(TableCell.self, from: root, what: "table cell"))
        case "findings": .findings(try source.decode(FindingsCell.self, from: root, what: "findings cell"))
        case "quality": .quality(try source.decode(QualityCell.self, from: root, what: "quality cell"))
        default: .export(try source.decode(ExportCell.self, from: root, what: "export cell"))
        }
        return Cell(kind: kind, location: location)
    }
}

extension ReportScript {
    /// The path of a report shipped with pairbook (`Reports/<name>.md`): in the current folder, next to the executable's
    /// package, or in the source checkout; `Reports/<name>.md` when none exists (the error then names it).
    public static func locateShipped(_ name: String) -> String {
        let fm = FileManager.default
        let file = "Reports/\(name).md"
        var candidates = [fm.currentDirectoryPath + "/" + file]
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent(file).path)
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(file).path)
        return candidates.first { fm.fileExists(atPath: $0) } ?? file
    }
}
