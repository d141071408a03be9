import ArgumentParser
import Market

// Domain types parse themselves on the command line, once, at the edge.

extension Symbol: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension Pair: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension Timeframe: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension TimeSpan: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension Timestamp: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}
