// swift-tools-version: 6.2
// pairbook — Binance USD-M futures pair-trading research: collector, analytics, charts, reports.
import PackageDescription

/// One set of settings for every target of ours.
let swiftSettings: [SwiftSetting] = [
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "pairbook",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pairbook", targets: ["pairbook"]),
        .executable(name: "pairbook-bench", targets: ["pairbook-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // MARK: - Value types
        .target(name: "Market", swiftSettings: swiftSettings),

        // MARK: - Storage
        .target(
            name: "Storage",
            dependencies: [
                "Market",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // The same store on PostgreSQL (postgres-nio): several collectors, report workers and dashboards on one database.
        .target(
            name: "PostgresStorage",
            dependencies: [
                "Market", "Storage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings),

        // Copying a database between stores (`pairbook migrate`): SQLite ↔ PostgreSQL, resumable.
        .target(
            name: "DataMigration",
            dependencies: [
                "Market", "Storage", "PostgresStorage",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - Analytics (pure math)
        .target(name: "Analytics", dependencies: ["Market"], swiftSettings: swiftSettings),

        // MARK: - Charts (Cairo + Pango)
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CPangoCairo", pkgConfig: "pangocairo", providers: [.apt(["libpango1.0-dev"])]),
        .target(name: "Charts", dependencies: ["Market", "CCairo", "CPangoCairo"], swiftSettings: swiftSettings),

        // MARK: - Collector (import, resampling, recording, simulator)
        .target(
            name: "Collector",
            dependencies: [
                "Market", "Storage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - Alerts (rules → findings, pure)
        .target(name: "Alerts", dependencies: ["Market", "Analytics"], swiftSettings: swiftSettings),

        // MARK: - Report engine
        .target(
            name: "ReportEngine",
            dependencies: [
                "Market", "Storage", "Analytics", "Charts", "Alerts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Ink", package: "Ink"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - Scheduling, delivery, monitoring (what `pairbook run` composes)
        .target(
            name: "Scheduler",
            dependencies: [
                "Market",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Delivery",
            dependencies: [
                "Market",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Monitoring",
            dependencies: [
                "Market",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - Dashboard (live web UI, JSON/SSE API)
        .target(
            name: "Dashboard",
            dependencies: [
                "Market", "Storage", "Analytics", "Charts", "Alerts", "ReportEngine", "Monitoring",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - Redis (a small RESP2 client on SwiftNIO, for the optional live buffer)
        .target(
            name: "RedisClient",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - Application (the services of `pairbook run` and `collect`, from one configuration)
        .target(
            name: "PairbookApp",
            dependencies: [
                "Market", "Storage", "Collector", "Alerts", "ReportEngine", "Scheduler", "Delivery", "Monitoring", "Dashboard",
                "RedisClient", "PostgresStorage", "DataMigration",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - Command line
        .executableTarget(
            name: "pairbook",
            dependencies: [
                "Market", "Storage", "Analytics", "Charts", "Collector", "Alerts", "ReportEngine",
                "Scheduler", "Delivery", "Monitoring", "Dashboard", "PairbookApp", "RedisClient", "DataMigration", "PostgresStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "pairbook-bench",
            dependencies: [
                "Market", "Storage", "Analytics", "Charts", "Collector", "ReportEngine", "PairbookApp", "PostgresStorage",
                "PairbookTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - Test support and tests
        .target(
            name: "PairbookTestSupport",
            dependencies: [
                "Market", "RedisClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "MarketTests", dependencies: ["Market", "PairbookTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StorageTests", dependencies: ["Storage", "PairbookTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PostgresStorageTests",
            dependencies: ["PostgresStorage", "Storage", "Collector", "PairbookTestSupport", .product(name: "Logging", package: "swift-log"),
                           .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "DataMigrationTests",
            dependencies: [
                "DataMigration", "PostgresStorage", "Storage", "Collector", "PairbookTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AnalyticsTests",
            dependencies: ["Analytics", "PairbookTestSupport", .product(name: "Numerics", package: "swift-numerics")],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChartsTests", dependencies: ["Charts", "PairbookTestSupport"], exclude: ["Golden"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CollectorTests",
            dependencies: [
                "Collector", "PairbookTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"), .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(name: "AlertsTests", dependencies: ["Alerts", "PairbookTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ReportEngineTests", dependencies: [
                "ReportEngine", "PairbookTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "PairbookTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "PairbookTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MonitoringTests",
            dependencies: [
                "Monitoring", "PairbookTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "DashboardTests",
            dependencies: [
                "Dashboard", "PairbookTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RedisClientTests",
            dependencies: [
                "RedisClient", "PairbookTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PairbookAppTests",
            dependencies: [
                "PairbookApp", "PairbookTestSupport", "Collector", "RedisClient", "Storage", "PostgresStorage", "DataMigration",
                "ReportEngine",
                .product(name: "Logging", package: "swift-log"), .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "pairbookTests",
            dependencies: [
                "pairbook", "PairbookTestSupport", "RedisClient", "PostgresStorage", .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Golden"], swiftSettings: swiftSettings),
    ]
)

// MARK: - Fuzzing (`make fuzz` only)

/// libFuzzer targets, declared only when `PAIRBOOK_FUZZ=1` (set by `scripts/fuzz/run.sh`), so that the ordinary build and
/// `swift test` never see them: they link only with `-sanitize=fuzzer`, which provides `LLVMFuzzerRunDriver`.
/// Build (in a scratch folder of its own): `PAIRBOOK_FUZZ=1 swift build --scratch-path .build-fuzz
/// -Xswiftc -sanitize=fuzzer,address --product fuzz-<name>`.
if Context.environment["PAIRBOOK_FUZZ"] == "1" {
    package.targets += [
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "FuzzDriver", dependencies: ["CLibFuzzer"], path: "Fuzz/FuzzDriver", swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-frames", dependencies: ["FuzzDriver", "Collector", "Market"], path: "Fuzz/fuzz-frames",
                         swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-csv", dependencies: ["FuzzDriver", "Collector", "Market"], path: "Fuzz/fuzz-csv",
                         swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-script", dependencies: ["FuzzDriver", "ReportEngine"], path: "Fuzz/fuzz-script",
                         swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-cron", dependencies: ["FuzzDriver", "Market"], path: "Fuzz/fuzz-cron",
                         swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-alerts", dependencies: ["FuzzDriver", "ReportEngine", "Alerts", "Market"],
                         path: "Fuzz/fuzz-alerts", swiftSettings: swiftSettings),
    ]
}
