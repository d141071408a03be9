import Foundation
import PairbookApp
import PairbookTestSupport
import RedisClient
import Testing

@Suite("RunSettings: the Redis live buffer's server")
struct RunSettingsRedisTests {
    /// `pairbook.yaml` with `text`, loaded.
    static func file(_ text: String) throws -> RunConfiguration {
        let url = try Fixtures.temporaryDirectory(prefix: "pairbook-run-redis").appendingPathComponent("pairbook.yaml")
        try Data(text.utf8).write(to: url)
        return try RunConfiguration.load(url.path)
    }

    @Test("`redis:` in the file, overridden by --redis; absent means no buffer")
    func fileAndFlag() throws {
        var flags = RunFlags()
        let file = try Self.file("symbols: [BTCUSDT]\nredis: redis://cache.internal:6380/2\n")
        #expect(try RunSettings(flags: flags, file: file).redis == RedisConfiguration(host: "cache.internal", port: 6380, database: 2))
        flags.redis = "redis://127.0.0.1"
        #expect(try RunSettings(flags: flags, file: file).redis == RedisConfiguration(host: "127.0.0.1"))
        #expect(try RunSettings(flags: RunFlags(), file: Self.file("symbols: [BTCUSDT]\n")).redis == nil)
    }

    @Test("a bad URL stops start-up with one line naming it")
    func badURL() throws {
        var flags = RunFlags()
        flags.symbols = "BTCUSDT"
        flags.redis = "localhost:6379"
        #expect {
            try RunSettings(flags: flags, file: RunConfiguration())
        } throws: { error in
            "\(error)" == #"redis: invalid Redis URL "localhost:6379": expected redis://host[:port][/db]"#
        }
    }
}
