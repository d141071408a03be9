import RedisClient
import Testing

@Suite("RedisConfiguration and RedisBackoff")
struct RedisConfigurationTests {
    @Test("redis:// URLs", arguments: [
        ("redis://127.0.0.1", "127.0.0.1", 6379, 0),
        ("redis://cache.internal:6380", "cache.internal", 6380, 0),
        ("redis://localhost:6379/3", "localhost", 6379, 3),
        ("redis://[::1]:7000/1", "::1", 7000, 1),
        ("redis://host/", "host", 6379, 0),
    ])
    func parses(url: String, host: String, port: Int, database: Int) throws {
        let configuration = try RedisConfiguration(url: url)
        #expect(configuration.host == host && configuration.port == port && configuration.database == database)
    }

    @Test("unusable URLs name the problem", arguments: [
        ("http://host:6379", "expected redis://"), ("redis://:6379", "no host"), ("redis://host:0", "port"),
        ("redis://host:http", "port"), ("redis://host/x", "database"), ("redis://user:pw@host", "credentials"),
    ])
    func rejects(url: String, reason: String) {
        #expect {
            try RedisConfiguration(url: url)
        } throws: { error in
            guard case .invalidURL(let given, let why)? = error as? RedisError else { return false }
            return given == url && why.contains(reason) && "\(error)".contains(url)
        }
    }

    @Test("the description is a URL that parses back to the same place")
    func roundTrip() throws {
        for url in ["redis://[::1]:7000/1", "redis://cache:6380/2"] {
            let configuration = try RedisConfiguration(url: url)
            #expect(try RedisConfiguration(url: configuration.description) == configuration)
        }
    }

    @Test("backoff doubles from the initial delay up to the maximum")
    func backoff() {
        let backoff = RedisBackoff(initial: .milliseconds(100), maximum: .seconds(2))
        #expect((0...7).map { backoff.delay(afterFailures: $0) } == [
            .zero, .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600),
            .seconds(2), .seconds(2),
        ])
        #expect(backoff.delay(afterFailures: 1_000) == .seconds(2))
    }
}
