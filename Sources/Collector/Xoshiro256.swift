import Foundation

/// xoshiro256** pseudo-random generator (Blackman & Vigna), seeded through SplitMix64.
///
/// Deterministic on every platform for a given seed, unlike `SystemRandomNumberGenerator`;
/// the ``Simulator`` uses it so that `pairbook demo --seed 42` always writes the same trades.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Seeds the four state words from SplitMix64(`seed`), as the authors recommend.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform double in (0, 1): 53 random bits, never exactly 0 (safe for `log`).
    public mutating func nextUnitOpen() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// A standard normal variate (Box–Muller; one of the pair is discarded to keep state simple).
    public mutating func nextGaussian() -> Double {
        let u1 = nextUnitOpen()
        let u2 = nextUnitOpen()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// An exponential variate with the given rate (mean 1 / rate).
    public mutating func nextExponential(rate: Double) -> Double {
        -log(nextUnitOpen()) / rate
    }

    @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }
}
