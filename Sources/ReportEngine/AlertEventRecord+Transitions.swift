import Alerts
import Storage

extension Array where Element == AlertEventRecord {
    /// The stored rows as state transitions (rows with an unknown state are skipped), to continue an alert's state.
    public var transitions: [AlertTransition] {
        compactMap { e in AlertStateKind(rawValue: e.state).map { AlertTransition(state: $0, time: e.time, value: e.value) } }
    }
}
