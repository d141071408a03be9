import Foundation
import Market

/// A seeded market simulator: a leader that follows a random walk and a follower cointegrated with
/// it through an Ornstein–Uhlenbeck spread, traded at Poisson-distributed instants.
///
/// Model (log prices, time in seconds): `dℓ = σ dW` for the leader; the follower is
/// `f = f₀ + β (ℓ − ℓ₀) + s` with the spread `ds = −θ s dt + σₛ √(2θ) dB` (stationary standard
/// deviation σₛ, half-life ln 2 / θ). Trades of both instruments arrive as independent Poisson
/// processes; each is a taker buy at the ask or a taker sell at the bid (`isBuyerMaker`), with
/// prices on the instrument's tick grid and exponential sizes rounded to its lot.
///
/// Deterministic: the same configuration and range give the same trades on every run and platform
/// (``Xoshiro256``, never the system generator). Trades come out as a lazy sequence in time order,
/// so a simulated day (~1 M trades) never sits in memory.
///
/// ```swift
/// let simulator = Simulator(configuration: .init(seed: 42))
/// let result = try recorder.record(contentsOf: simulator.ticks(in: day))   // batches of 50,000
/// ```
public struct Simulator: Sendable {
    /// The parameters of the simulated pair.
    public struct Configuration: Sendable, Hashable {
        /// The random-walk leg (default BTCUSDT ≈ 60,000).
        public var leader: SimulatedInstrument
        /// The cointegrated leg (default ETHUSDT ≈ 3,000).
        public var follower: SimulatedInstrument
        /// Seed of the generator.
        public var seed: UInt64
        /// Daily volatility of the leader's log price (0.02 = 2 % a day).
        public var leaderDailyVolatility: Double
        /// β of the follower's log price on the leader's.
        public var beta: Double
        /// Half-life of the spread's mean reversion.
        public var spreadHalfLife: TimeSpan
        /// Stationary standard deviation of the log spread (0.002 = 0.2 %).
        public var spreadVolatility: Double

        public init(leader: SimulatedInstrument = .btcusdt, follower: SimulatedInstrument = .ethusdt, seed: UInt64 = 42,
                    leaderDailyVolatility: Double = 0.02, beta: Double = 1.0,
                    spreadHalfLife: TimeSpan = .minutes(20), spreadVolatility: Double = 0.002) {
            self.leader = leader
            self.follower = follower
            self.seed = seed
            self.leaderDailyVolatility = leaderDailyVolatility
            self.beta = beta
            self.spreadHalfLife = spreadHalfLife
            self.spreadVolatility = spreadVolatility
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The simulated pair, leader as base (y) and follower as quote (x).
    public var pair: Pair { Pair(base: configuration.leader.symbol, quote: configuration.follower.symbol) }

    /// The trades of both instruments in `range`, in time order, generated lazily.
    public func ticks(in range: TimeRange) -> SimulatedTicks {
        SimulatedTicks(configuration: configuration, range: range)
    }
}

/// The lazy sequence of simulated trades (see ``Simulator``). Iterating twice gives the same trades.
public struct SimulatedTicks: Sequence, Sendable {
    let configuration: Simulator.Configuration
    let range: TimeRange

    public func makeIterator() -> Iterator { Iterator(configuration: configuration, range: range) }

    /// Expected number of trades (the Poisson mean), for progress bars.
    public var expectedCount: Int {
        Int(range.span.seconds * (configuration.leader.tradesPerSecond + configuration.follower.tradesPerSecond))
    }

    /// Generates trades one at a time; O(1) memory.
    public struct Iterator: IteratorProtocol, Sendable {
        private var random: Xoshiro256
        private let leader: SimulatedInstrument
        private let follower: SimulatedInstrument
        private let start: Int64
        private let end: Int64
        private let totalRate: Double
        private let leaderShare: Double
        private let sigmaPerSqrtSecond: Double
        private let beta: Double
        private let theta: Double
        private let spreadSigma: Double
        private let leaderLog0: Double
        private let followerLog0: Double
        /// Seconds since `start`.
        private var clock: Double = 0
        private var leaderLog: Double
        private var spread: Double = 0
        private var nextLeaderID: Int64
        private var nextFollowerID: Int64

        init(configuration c: Simulator.Configuration, range: TimeRange) {
            random = Xoshiro256(seed: c.seed)
            leader = c.leader
            follower = c.follower
            start = range.start.milliseconds
            end = range.end.milliseconds
            totalRate = c.leader.tradesPerSecond + c.follower.tradesPerSecond
            leaderShare = c.leader.tradesPerSecond / totalRate
            sigmaPerSqrtSecond = c.leaderDailyVolatility / 86_400.0.squareRoot()
            beta = c.beta
            theta = log(2) / Swift.max(c.spreadHalfLife.seconds, 1e-3)
            spreadSigma = c.spreadVolatility
            leaderLog0 = log(c.leader.startPrice)
            followerLog0 = log(c.follower.startPrice)
            leaderLog = leaderLog0
            nextLeaderID = c.leader.firstTradeID
            nextFollowerID = c.follower.firstTradeID
        }

        public mutating func next() -> Tick? {
            let dt = random.nextExponential(rate: totalRate)
            clock += dt
            let ms = start + Int64((clock * 1000).rounded(.down))
            guard ms < end else { return nil }
            // Advance the latent prices over dt (exact OU transition for the spread).
            leaderLog += sigmaPerSqrtSecond * dt.squareRoot() * random.nextGaussian()
            let decay = exp(-theta * dt)
            spread = spread * decay + spreadSigma * (1 - decay * decay).squareRoot() * random.nextGaussian()

            let isLeader = random.nextUnitOpen() < leaderShare
            let instrument = isLeader ? leader : follower
            let logMid = isLeader ? leaderLog : followerLog0 + beta * (leaderLog - leaderLog0) + spread
            let isBuyerMaker = random.nextUnitOpen() < 0.5
            let priceScale = (1 / instrument.tickSize).rounded()
            let bidTicks = (exp(logMid) * priceScale).rounded(.down)
            let price = (bidTicks + (isBuyerMaker ? 0 : 1)) / priceScale
            let lotScale = (1 / instrument.lotSize).rounded()
            let lots = Swift.max(1, (random.nextExponential(rate: 1 / instrument.meanQuantity) * lotScale).rounded())
            let quantity = lots / lotScale

            let id: Int64
            if isLeader {
                id = nextLeaderID
                nextLeaderID += 1
            } else {
                id = nextFollowerID
                nextFollowerID += 1
            }
            return Tick(symbol: instrument.symbol, tradeID: id, timestamp: Timestamp(milliseconds: ms),
                        price: price, quantity: quantity, isBuyerMaker: isBuyerMaker)
        }
    }
}
