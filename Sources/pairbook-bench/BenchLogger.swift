import Logging

extension Logger {
    /// The benches' logger: warnings and errors only (progress lines would disturb the timings).
    static func bench(_ area: String) -> Logger {
        var logger = Logger(label: "pairbook.bench.\(area)")
        logger.logLevel = .warning
        return logger
    }
}
