import Foundation
import Yams

/// A bound on how far YAML aliases may expand.
///
/// An alias (`*a`) stands for the whole node its anchor (`&a`) names, so a few hundred bytes whose anchors each
/// repeat the one before ("billion laughs") describe billions of nodes. libyaml and Yams share the aliased node, so
/// composing is cheap; whatever walks the tree afterwards (decoding, validation) is not. Every YAML document pairbook
/// reads (script front matter, cell bodies, `--params` files, alert files, `pairbook.yaml`) is checked after it is
/// composed and before anything walks it; real ones have a few hundred nodes.
public enum YAMLExpansionLimit {
    /// The most nodes a document may stand for once its aliases are expanded.
    public static let maximumNodes = 100_000

    /// Composes `yaml` and checks its expanded size.
    ///
    /// - Returns: the root node, nil for an empty document.
    /// - Throws: Yams' errors for invalid YAML; ``Exceeded`` for a document beyond ``maximumNodes``.
    public static func compose(_ yaml: String) throws -> Node? {
        guard let root = try Yams.compose(yaml: yaml) else { return nil }
        try check(root)
        return root
    }

    /// Throws ``Exceeded`` when `root` expands to more than `limit` nodes. Stops counting at the limit, so it costs
    /// at most `limit` steps whatever the document.
    public static func check(_ root: Node, limit: Int = maximumNodes) throws(Exceeded) {
        var remaining = limit
        func visit(_ node: Node) -> Bool {
            remaining -= 1
            guard remaining >= 0 else { return false }
            switch node {
            case .scalar, .alias: return true
            case .mapping(let mapping):
                for (key, value) in mapping where !visit(key) || !visit(value) { return false }
                return true
            case .sequence(let sequence):
                for element in sequence where !visit(element) { return false }
                return true
            }
        }
        guard visit(root) else { throw Exceeded(limit: limit) }
    }

    /// A document whose aliases expand beyond the limit.
    public struct Exceeded: Error, CustomStringConvertible, Equatable {
        public let limit: Int
        public var description: String {
            "aliases expand to more than \(limit.formatted(.number.grouping(.automatic))) nodes (a \"billion laughs\" document?)"
        }
    }
}
