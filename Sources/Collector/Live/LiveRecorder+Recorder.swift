import Market
import Storage
import Synchronization

extension LiveRecorder {
    /// The standard commit: ticks through `recorder` (ticks and bars in one transaction), then the
    /// batch's gaps into `stream_gaps` in a second one.
    ///
    /// The recorder is handed over (`sending`) and used only under a lock, from the recorder's task.
    public static func commit(through recorder: sending Recorder) -> Commit {
        let holder = RecorderHolder(recorder)
        return { ticks, gaps in
            try holder.recorder.withLock { recorder in
                if !ticks.isEmpty { _ = try recorder.record(ticks) }
                if !gaps.isEmpty {
                    try recorder.store.write { tx in
                        for gap in gaps { try tx.insert(gap) }
                    }
                }
            }
        }
    }
}

/// Owns the (non-Sendable) `Recorder` behind a `Mutex`, so that a `@Sendable` commit can use it.
private final class RecorderHolder: Sendable {
    let recorder: Mutex<Recorder>

    init(_ recorder: sending Recorder) { self.recorder = Mutex(recorder) }
}
