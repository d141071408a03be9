#if canImport(Glibc)
import Glibc
#endif

/// The clocks every benchmark reads, in milliseconds.
///
/// CPU time is reported next to wall time because the benchmark machine may be shared: wall time
/// then also measures the neighbours.
enum BenchClock {
    /// CPU time of this process, all threads (`CLOCK_PROCESS_CPUTIME_ID`), ms.
    static func cpuMilliseconds() -> Double { read(CLOCK_PROCESS_CPUTIME_ID) }

    /// Monotonic wall-clock time (`CLOCK_MONOTONIC`), ms.
    static func wallMilliseconds() -> Double { read(CLOCK_MONOTONIC) }

    /// User + system CPU time of the terminated and waited-for children of this process, ms.
    static func childrenCPUMilliseconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000
    }

    private static func read(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }
}
