/// SplitMix64 (Steele, Lea & Flood): a tiny, fast, deterministic generator for test inputs and benchmark data.
///
/// Not for the simulator (that is `Collector.Xoshiro256`); here reproducibility of test data is all that matters.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    /// A generator whose first output is SplitMix64's output for `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
