import Market

extension Finding {
    /// The finding reconciled with the alert's stored history, so that an episode already recorded by an earlier
    /// run is continued rather than fired again.
    ///
    /// Windows of successive runs overlap and statistics such as the full-window hedge ratio move with the window, so a
    /// re-evaluation may place the start of the same episode a bar earlier or later. When the stored history (every
    /// transition before `asOf`) ends in the same state as this finding and this evaluation saw no end of the episode
    /// after that stored transition, the stored times win and the re-detected transitions are dropped. Re-running a
    /// report for the same time therefore gives the same finding. Pure; O(n log n) in the transitions.
    ///
    /// - Parameters:
    ///   - stored: the alert's stored transitions before `asOf`, in any order.
    ///   - asOf: the evaluation time.
    public func continuing(_ stored: [AlertTransition], asOf: Timestamp) -> Finding {
        let history = stored.filter { $0.time < asOf }.sorted { $0.time < $1.time }
        guard let last = history.last else { return self }
        let ended = transitions.contains { $0.time > last.time && !($0.state == .firing || $0.state == .pending) }
        var f = self
        switch (state, last.state) {
        case (.firing, .firing) where !ended:
            f.firedAt = last.time
            if history.count >= 2, history[history.count - 2].state == .pending {
                f.firstBreach = history[history.count - 2].time
            } else {
                f.firstBreach = min(f.firstBreach ?? last.time, last.time)
            }
            f.duration = asOf - last.time
            f.transitions.removeAll { $0.state == .firing || $0.state == .pending }
        case (.pending, .pending) where !ended:
            f.firstBreach = last.time
            f.duration = asOf - last.time
            f.transitions.removeAll { $0.state == .pending }
        case (.resolved, .resolved), (.nodata, .nodata):
            f.transitions.removeAll { $0.state == last.state && $0.time >= last.time }
            if state == .resolved { f.resolvedAt = max(f.resolvedAt ?? last.time, last.time) }
        default:
            break
        }
        let seen = Set(history.map { "\($0.state.rawValue)@\($0.time.milliseconds)" })
        f.transitions.removeAll { seen.contains("\($0.state.rawValue)@\($0.time.milliseconds)") }
        return f
    }
}
