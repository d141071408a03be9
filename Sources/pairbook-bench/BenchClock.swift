#if canImport(Glibc)
import Glibc
#endif

/// The clocks every benchmark reads, in milliseconds.
///
/// CPU time is reported next to wall time because the benchmark machine may be shared: wall time
/// then also measures the neighbours.
enum BenchClock {
    /// User + system CPU time of this process, all threads, ms.
    static func cpuMilliseconds() -> Double { usage(RUSAGE_SELF) }

    /// Monotonic wall-clock time, ms (from an arbitrary origin: only differences mean anything).
    static func wallMilliseconds() -> Double {
        let elapsed = origin.duration(to: .now)
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// User + system CPU time of the terminated and waited-for children of this process, ms.
    static func childrenCPUMilliseconds() -> Double { usage(RUSAGE_CHILDREN) }

    private static let origin = ContinuousClock.now

    private static func usage(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(who.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000
    }
}
