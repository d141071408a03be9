/// YAML written to hurt its reader, for tests of every place that reads YAML.
public enum HostileYAML {
    /// "Billion laughs": nine anchors, each a list of nine aliases of the one before — a few hundred bytes that stand
    /// for 9^10 scalars once the aliases are expanded. Top-level keys `l0` … `l9`, one line each.
    public static let billionLaughs = (1...9).reduce("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n") { text, level in
        text + "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
    }
}
