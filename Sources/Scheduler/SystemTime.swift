import Foundation
import Market

/// The wall clock: the real current time as a ``Timestamp`` (UTC, milliseconds).
///
/// The default `now` of ``ReportScheduler``; tests derive `now` from a manual clock instead.
public enum SystemTime {
    /// The current UTC time, truncated to the millisecond.
    public static func now() -> Timestamp {
        Timestamp.now()
    }
}
