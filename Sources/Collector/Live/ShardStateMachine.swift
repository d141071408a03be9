import Market

/// Decides when one shard of a ``BinanceStream`` opens, replaces and closes its connections.
///
/// A shard has one primary connection, two while it rotates (the primary and its replacement). The machine
/// is told what happened, with the clock's `now`: a connection opened, started receiving, closed, or a check
/// came due (with the stalls its ``WatchdogStateMachine``s found). It returns the ``Action``s the shard
/// performs, in order. It composes ``ReconnectStateMachine`` (backoff), ``RotationStateMachine`` (replacement
/// before the 24 h limit, with overlap) and the connect timeout. Pure and synchronous: no sockets, no clock reads.
/// Connection ids are the machine's own, counting from 1.
///
/// ```swift
/// var machine = ShardStateMachine<ContinuousClock>(configuration: configuration)
/// perform(machine.start(at: clock.now))  // [.open(1, .initial), .scheduleCheck(at: now + checkInterval)]
/// perform(machine.connectionOpened(1, at: clock.now))  // [.track(1, .primary)]
/// ```
struct ShardStateMachine<C: Clock>: Sendable where C.Duration == Duration {
    /// Why a connection is opened.
    enum Opening: Sendable, Equatable {
        /// The shard's first connection.
        case initial
        /// A new primary after the previous one closed (counted as a reconnect).
        case reconnect
        /// A second connection while rotating; its trades are held until it takes over.
        case replacement
    }

    /// What an open connection is for.
    enum Role: Sendable, Equatable { case primary, replacement }

    /// Why the machine closes a connection.
    enum CloseReason: Sendable, Equatable {
        /// It did not open within the connect timeout.
        case connectTimedOut
        /// The watchdog found these symbols silent on it.
        case stalled([Symbol], silentFor: Duration)
        /// The replacement delivered nothing within the rotation's replacement timeout.
        case replacementSilent
        /// The replacement's primary closed before it could take over.
        case primaryClosed
        /// The replacement took over; the old primary goes.
        case rotatedOut
    }

    /// What the shard reports (logs and counts).
    enum Report: Sendable, Equatable {
        /// The primary `closed`; the next one opens in `retryIn`.
        case reconnecting(closed: Int, reason: String?, retryIn: Duration, attempt: Int)
        /// The primary `closed` during a rotation and its replacement took over.
        case replacementTookOver(closed: Int, reason: String?)
        /// The replacement closed before taking over; the primary stays.
        case replacementFailed(Int, reason: String?)
        /// A replacement of `primary` is opened before the age limit.
        case rotationStarted(primary: Int?)
        /// The replacement delivers; both connections run side by side until the overlap has passed.
        case overlapStarted(Int)
        /// The replacement is now `primary`.
        case rotationComplete(primary: Int)
    }

    /// What the shard should do.
    enum Action: Sendable, Equatable {
        /// Start connection `id`.
        case open(Int, Opening)
        /// Connection `id` is open: count it and start its watchdog.
        case track(Int, Role)
        /// Connection `id` ended: stop counting it (if it was open), drop its watchdog and held trades.
        case untrack(Int, wasOpen: Bool)
        /// Ask connection `id` to close.
        case close(Int, CloseReason)
        /// Make `id` live, its held trades first, in place of `from`; unless `force`d only once the old connection has
        /// caught up. Report the outcome with ``ShardStateMachine/takeOverFinished(succeeded:at:)`` before anything else.
        case takeOver(Int, from: Int?, force: Bool)
        case report(Report)
        /// Call ``ShardStateMachine/check(at:stalled:)`` at this instant.
        case scheduleCheck(at: C.Instant)
    }

    /// Silent symbols the watchdog of one connection found.
    struct Stall: Sendable, Equatable {
        var connection: Int
        var symbols: [Symbol]
        var silentFor: Duration
    }

    private enum PendingTakeOver: Sendable {
        case rotation(new: Int, old: Int?)
        case primaryClosed(new: Int, closed: Int, reason: String?)
    }

    let connectTimeout: Duration
    let checkInterval: Duration
    /// A switch the old connection never catches up with is forced after this long (ten overlaps).
    let forceSwitchAfter: Duration
    private(set) var reconnect: ReconnectStateMachine<C>
    private(set) var rotation: RotationStateMachine<C>
    private(set) var primary: Int?
    private(set) var replacement: Int?
    private var lastID = 0
    private var everConnected = false
    private var opened: Set<Int> = []
    private var connecting: [Int: C.Instant] = [:]
    private var reconnectAt: C.Instant?
    /// The rotation asked to switch to the replacement at this instant; it happens once the old connection caught up.
    private var switchRequestedAt: C.Instant?
    private var pendingTakeOver: PendingTakeOver?

    init(configuration: BinanceStreamConfiguration) {
        connectTimeout = configuration.connectTimeout
        checkInterval = configuration.checkInterval
        forceSwitchAfter = configuration.rotation.overlap * 10
        reconnect = ReconnectStateMachine(policy: configuration.reconnect)
        rotation = RotationStateMachine(policy: configuration.rotation)
    }

    // MARK: - Events

    /// The shard starts: its first connection and its first check.
    mutating func start(at now: C.Instant) -> [Action] {
        [openPrimary(at: now), .scheduleCheck(at: now.advanced(by: checkInterval))]
    }

    /// Connection `id` completed its WebSocket upgrade.
    mutating func connectionOpened(_ id: Int, at now: C.Instant) -> [Action] {
        everConnected = true
        connecting[id] = nil
        opened.insert(id)
        guard id == primary else { return [.track(id, .replacement)] }
        reconnect.connectionOpened(at: now)
        rotation.primaryOpened(at: now)
        return [.track(id, .primary)]
    }

    /// Connection `id` received its first message.
    mutating func connectionReceiving(_ id: Int, at now: C.Instant) -> [Action] {
        guard id == replacement, case .replacing = rotation.state else { return [] }
        rotation.replacementReceiving(at: now)
        return [.report(.overlapStarted(id))]
    }

    /// Connection `id` ended (closed, failed to connect, or was closed on request).
    mutating func connectionClosed(_ id: Int, reason: String?, at now: C.Instant,
                                   using random: inout some RandomNumberGenerator) -> [Action] {
        connecting[id] = nil
        var actions: [Action] = [.untrack(id, wasOpen: opened.remove(id) != nil)]
        if id == primary, let replacement, opened.contains(replacement) {
            // The old connection died during a rotation: the replacement takes over now.
            pendingTakeOver = .primaryClosed(new: replacement, closed: id, reason: reason)
            actions.append(.takeOver(replacement, from: nil, force: true))
        } else if id == primary {
            primary = nil
            rotation.primaryClosed()
            if let replacement { actions.append(.close(replacement, .primaryClosed)) }
            dropReplacement()
            if case .reconnect(let at, let attempt) = reconnect.connectionClosed(at: now, using: &random) {
                reconnectAt = at
                actions.append(.report(.reconnecting(closed: id, reason: reason, retryIn: now.duration(to: at), attempt: attempt)))
            }
        } else if id == replacement {
            dropReplacement()
            rotation.replacementFailed(at: now)
            actions.append(.report(.replacementFailed(id, reason: reason)))
        }
        return actions
    }

    /// The periodic check: reconnect when due, time out connects, close stalled connections, rotate.
    mutating func check(at now: C.Instant, stalled: [Stall]) -> [Action] {
        var actions: [Action] = []
        if primary == nil, let at = reconnectAt, now >= at {
            reconnectAt = nil
            reconnect.connecting()
            actions.append(openPrimary(at: now))
        }
        for (id, since) in connecting.sorted(by: { $0.key < $1.key }) where since.duration(to: now) >= connectTimeout {
            connecting[id] = nil
            actions.append(.close(id, .connectTimedOut))
        }
        for stall in stalled where opened.contains(stall.connection) {
            actions.append(.close(stall.connection, .stalled(stall.symbols, silentFor: stall.silentFor)))
        }
        switch rotation.check(at: now) {
        case .none:
            break
        case .openReplacement:
            actions.append(.report(.rotationStarted(primary: primary)))
            actions.append(open(.replacement, at: now))
            replacement = lastID
        case .abandonReplacement:
            if let replacement { actions.append(.close(replacement, .replacementSilent)) }
            replacement = nil
        case .closeOldPrimary:
            switchRequestedAt = now
        }
        if let requested = switchRequestedAt, let replacement {
            pendingTakeOver = .rotation(new: replacement, old: primary)
            actions.append(.takeOver(replacement, from: primary, force: requested.duration(to: now) >= forceSwitchAfter))
        }
        actions.append(.scheduleCheck(at: now.advanced(by: checkInterval)))
        return actions
    }

    /// The outcome of the last ``Action/takeOver(_:from:force:)``.
    mutating func takeOverFinished(succeeded: Bool, at now: C.Instant) -> [Action] {
        guard let pending = pendingTakeOver else { return [] }
        pendingTakeOver = nil
        guard succeeded else { return [] }
        switch pending {
        case .rotation(let new, let old):
            primary = new
            dropReplacement()
            reconnect.connectionOpened(at: now)
            return (old.map { [.close($0, .rotatedOut)] } ?? []) + [.report(.rotationComplete(primary: new))]
        case .primaryClosed(let new, let closed, let reason):
            primary = new
            dropReplacement()
            rotation.primaryOpened(at: now)
            reconnect.connectionOpened(at: now)
            return [.report(.replacementTookOver(closed: closed, reason: reason))]
        }
    }

    // MARK: - Helpers

    private mutating func openPrimary(at now: C.Instant) -> Action {
        let action = open(everConnected ? .reconnect : .initial, at: now)
        primary = lastID
        return action
    }

    private mutating func open(_ opening: Opening, at now: C.Instant) -> Action {
        lastID += 1
        connecting[lastID] = now
        return .open(lastID, opening)
    }

    private mutating func dropReplacement() {
        replacement = nil
        switchRequestedAt = nil
    }
}
