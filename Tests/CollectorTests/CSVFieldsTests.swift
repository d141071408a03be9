@testable import Collector
import Testing

struct CSVFieldsTests {
    func parse(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { CSVFields.double(UnsafeBufferPointer($0)) }
    }

    @Test("decimals parse to the same double as the standard library", arguments: [
        "63943.90", "0.003", "191.8317", "3424.98", "0", "0.0", "-12.5", "1e-3", "2.5E+2", "16538.00",
        "13955815.074900001", "0.1", "0.30000000000000004", "123456789012345678901234", "9007199254740993",
        "1.7976931348623157e308", "0.000000000000000000000001",
    ])
    func matchesStandardLibrary(text: String) {
        #expect(parse(text) == Double(text))
    }

    @Test("random prices and quantities parse exactly")
    func random() {
        var rng = Xoshiro256(seed: 1)
        for _ in 0..<20_000 {
            let digits = Int(rng.next() % 9)
            let integer = rng.next() % 1_000_000
            let fraction = rng.next() % 1_000_000_000
            let text = digits == 0 ? "\(integer)" : "\(integer)." + String(String(fraction).prefix(digits))
            #expect(parse(text) == Double(text), "\(text)")
        }
    }

    @Test("non-numbers are rejected", arguments: ["", "-", ".", "abc", "1.2.3", "12a", "1,5"])
    func rejects(text: String) {
        #expect(parse(text) == nil)
    }

    @Test("integers and booleans")
    func integersAndBooleans() {
        func int(_ s: String) -> Int64? {
            var b = Array(s.utf8)
            return b.withUnsafeMutableBufferPointer { CSVFields.int64(UnsafeBufferPointer($0)) }
        }
        func bool(_ s: String) -> Bool? {
            var b = Array(s.utf8)
            return b.withUnsafeMutableBufferPointer { CSVFields.bool(UnsafeBufferPointer($0)) }
        }
        #expect(int("1721347022956") == 1_721_347_022_956)
        #expect(int("-5") == -5)
        #expect(int("99999999999999999999") == nil)
        #expect(int("1.0") == nil)
        #expect(bool("true") == true && bool("False") == false && bool("1") == true && bool("0") == false)
        #expect(bool("yes") == nil && bool("tru") == nil)
    }
}
