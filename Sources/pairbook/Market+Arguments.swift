import ArgumentParser
import Market

// Domain types parse themselves on the command line, once, at the edge. Options use the throwing `argument`
// functions as their `transform`, so that a bad value keeps its own message ("expected BASE/QUOTE") instead of
// ArgumentParser's generic "invalid value"; `ExpressibleByArgument` stays for arguments and defaults.

extension Symbol: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
    static func argument(_ text: String) throws -> Symbol { try Symbol(parsing: text) }
}

extension Pair: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
    static func argument(_ text: String) throws -> Pair { try Pair(parsing: text) }
}

extension Timeframe: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
    static func argument(_ text: String) throws -> Timeframe { try Timeframe(parsing: text) }
}

extension TimeSpan: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
    static func argument(_ text: String) throws -> TimeSpan { try TimeSpan(parsing: text) }
}

extension Timestamp: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
    static func argument(_ text: String) throws -> Timestamp { try Timestamp(parsing: text) }
}
