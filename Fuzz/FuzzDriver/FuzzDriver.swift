import CLibFuzzer
import Glibc

/// Runs libFuzzer from a fuzz target's `main.swift`.
///
/// SwiftPM links every executable with `--defsym main=<module>_main`, which replaces libFuzzer's own `main`; so each
/// target's top-level code hands its `LLVMFuzzerTestOneInput` to libFuzzer's driver here, with the process's arguments
/// (`-max_total_time=60 corpus/`, or a crash file to replay it).
///
/// ```swift
/// @_cdecl("LLVMFuzzerTestOneInput")
/// func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { …; return 0 }
/// FuzzDriver.run(testOneInput)
/// ```
public enum FuzzDriver {
    /// One input as a buffer (empty for a zero-length input).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: size > 0 ? data : nil, count: size)
    }

    /// Starts libFuzzer and exits with its status.
    public static func run(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }
}
