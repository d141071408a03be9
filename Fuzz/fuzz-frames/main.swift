// Fuzz target: the Binance stream frame decoder, through the entry point the live collector calls
// (`BinanceMessageDecoder.decode(_: UnsafeRawBufferPointer)` on each WebSocket frame's bytes).
import Collector
import FuzzDriver
import Market

/// The input as one frame, then each of its lines as the frames of one connection (one decoder, so its symbol
/// cache is exercised). The wall clock is fixed, so that a crash replays the same way on any day.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzDriver.bytes(data, size)
    var decoder = BinanceMessageDecoder(wallClock: { Timestamp(milliseconds: 1_721_433_600_000) })
    decodeFrame(UnsafeRawBufferPointer(input), with: &decoder)
    for line in input.split(separator: UInt8(ascii: "\n")) {
        decodeFrame(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: line)), with: &decoder)
    }
    return 0
}

/// Decodes one frame; a thrown error is an expected outcome, but its description must also be producible.
func decodeFrame(_ frame: UnsafeRawBufferPointer, with decoder: inout BinanceMessageDecoder) {
    do {
        _ = try decoder.decode(frame)
    } catch {
        _ = error.description
    }
}

FuzzDriver.run(testOneInput)
