// Fuzz target: the cron parser (`CronExpression(parsing:)`, as a report script's `schedule:` is read), then the
// scheduler's questions to a parsed expression around a few instants (a leap day, a year end, the sample data's day).
import FuzzDriver
import Market

/// The instants a parsed schedule is asked about.
enum Instants {
    /// 2024-02-29 00:00, 2023-12-31 23:59:30.5, 2024-07-19 00:00:02.813 (UTC).
    static let all: [Timestamp] = [1_709_164_800_000, 1_704_067_170_500, 1_721_347_202_813].map { Timestamp(milliseconds: $0) }
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzDriver.bytes(data, size), as: UTF8.self)
    let cron: CronExpression
    do {
        cron = try CronExpression(parsing: text)
    } catch {
        _ = error.description
        return 0
    }
    for instant in Instants.all {
        let next = cron.next(after: instant)
        let previous = cron.previous(before: instant)
        precondition(next > instant && cron.matches(next), "next(after:) of '\(cron)' is not a later firing")
        precondition(previous < instant && cron.matches(previous), "previous(before:) of '\(cron)' is not an earlier firing")
    }
    return 0
}

FuzzDriver.run(testOneInput)
