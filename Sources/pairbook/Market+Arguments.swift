import ArgumentParser
import Market

// Domain types parse themselves on the command line, once, at the edge.

extension Symbol: @retroactive ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension Pair: @retroactive ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension Timeframe: @retroactive ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension TimeSpan: @retroactive ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension Timestamp: @retroactive ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}
