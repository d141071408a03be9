// Fuzz target: alert rules, as an `alerts_file:` of a report script is read (YAML → `AlertRule`, each rule and the
// list validated), then each rule evaluated over a metric series and its summary rendered, as a report run does.
@testable import ReportEngine
import Alerts
import FuzzDriver
import Glibc
import Market

/// The metric series every parsed rule is evaluated over.
enum Series {
    /// 2024-07-19 00:00 UTC.
    static let start = Timestamp(milliseconds: 1_721_347_200_000)
    /// Two hours of minutes: a z-score swinging between −3 and 3, undefined values now and then, a 20-minute hole.
    static let samples: [MetricSample] = (0..<120).compactMap { minute in
        if (60..<80).contains(minute) { return nil }
        let value: Double? = minute % 17 == 5 ? nil : 3 * sin(Double(minute) / 9)
        return MetricSample(time: start + TimeSpan.minutes(Int64(minute)), value: value)
    }
    static let asOf = start + TimeSpan.hours(2)
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzDriver.bytes(data, size), as: UTF8.self)
    let rules: [AlertRule]
    do {
        rules = try ReportScript.alertRules(fileText: text, path: "fuzz-alerts.yaml")
        try rules.validate()
    } catch {
        _ = "\(error)"
        return 0
    }
    for rule in rules {
        let finding = AlertEvaluator.evaluate(rule, subject: "BTCUSDT/ETHUSDT", samples: Series.samples, asOf: Series.asOf,
                                              barWidth: rule.timeframe?.span ?? .minutes(1))
        _ = SummaryTemplate.render(rule.summary ?? SummaryTemplate.defaultTemplate, finding: finding)
    }
    return 0
}

FuzzDriver.run(testOneInput)
