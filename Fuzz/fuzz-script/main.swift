// Fuzz target: the report-script parser (`ReportScript(text:path:)`, as `pairbook report` and the scheduler load a
// script): front matter (YAML, schedule, formats, params, alerts), the body's prose and ```pairbook cells, and the
// placeholders in title, prose and cells.
import FuzzDriver
import ReportEngine

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzDriver.bytes(data, size), as: UTF8.self)
    do {
        // A folder that does not exist: a relative `alerts_file:` is a read error, not a file found by chance.
        _ = try ReportScript(text: text, path: "/nonexistent/fuzz/script.md")
    } catch {
        _ = "\(error)"
    }
    return 0
}

FuzzDriver.run(testOneInput)
