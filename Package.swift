// swift-tools-version:6.0
import PackageDescription

// Dependencies point inward: executable -> adapters -> pure core (see docs/architecture.md).
let package = Package(
    name: "OptOutSync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "optout-sync", targets: ["optout-sync"]),
    ],
    targets: [
        // C libraries from Debian, through module maps.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(
            name: "CPhoneNumber",
            cxxSettings: [.unsafeFlags(["-I/usr/include/phonenumbers"])],
            linkerSettings: [.linkedLibrary("phonenumber"), .linkedLibrary("stdc++")]
        ),

        // Small shared foundations.
        .target(name: "Logging"),
        .target(name: "Hashing", dependencies: ["CCrypto"]),
        .target(name: "JSON"),

        // Adapters and core.
        .target(name: "Postgres", dependencies: ["CLibPQ", "Logging"]),
        .target(name: "AWS", dependencies: ["Hashing", "Logging", "CCurl"]),
        .target(name: "PhoneNumbers", dependencies: ["CPhoneNumber"]),
        .target(name: "SyncCore"),
        .target(name: "Configuration", dependencies: ["JSON", "PhoneNumbers", "Postgres"]),
        .target(
            name: "SyncStore",
            dependencies: ["Postgres", "Hashing", "PhoneNumbers", "SyncCore", "Configuration", "Logging"],
            plugins: ["EmbedMigrations"]
        ),
        // Embeds sql/*.sql into SyncStore at build time (see Plugins/EmbedMigrations).
        .executableTarget(name: "EmbedMigrationsTool"),
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["EmbedMigrationsTool"]),
        .target(name: "HTTPServer", dependencies: ["Logging"]),
        .target(name: "SMSVoiceEmulator", dependencies: ["HTTPServer", "Hashing", "JSON", "Logging"]),
        .target(name: "Reporting", dependencies: ["SyncCore"]),
        .target(
            name: "OptOutSync",
            dependencies: ["Configuration", "SyncStore", "SyncCore", "AWS", "PhoneNumbers", "Postgres", "Logging", "HTTPServer"]
        ),
        .target(
            name: "CLI",
            dependencies: ["Configuration", "OptOutSync", "SMSVoiceEmulator", "Reporting", "SyncStore", "Postgres", "AWS", "Logging", "PhoneNumbers", "SyncCore"]
        ),
        .executableTarget(name: "optout-sync", dependencies: ["CLI"]),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["Postgres", "AWS", "PhoneNumbers", "SyncStore", "HTTPServer", "SMSVoiceEmulator", "Logging", "OptOutSync", "Configuration"]
        ),

        // Tests.
        .target(name: "TestSupport", dependencies: ["Postgres", "Logging"], path: "Tests/TestSupport"),
        .testTarget(name: "LoggingTests", dependencies: ["Logging", "TestSupport"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "AWSTests", dependencies: ["AWS", "Hashing", "HTTPServer", "SMSVoiceEmulator", "TestSupport"], exclude: ["Python"]),
        .testTarget(name: "PhoneNumbersTests", dependencies: ["PhoneNumbers", "Hashing", "TestSupport"]),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore", "TestSupport"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "PhoneNumbers", "Postgres", "TestSupport"]),
        .testTarget(name: "SyncStoreTests", dependencies: ["SyncStore", "TestSupport"]),
        .testTarget(name: "SMSVoiceEmulatorTests", dependencies: ["SMSVoiceEmulator", "HTTPServer", "JSON", "TestSupport"], exclude: ["Python"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "SyncCore"]),
        .testTarget(name: "CLITests", dependencies: ["CLI", "Configuration", "Logging", "OptOutSync", "Postgres", "SMSVoiceEmulator", "SyncCore", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "Postgres", "AWS", "Hashing"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
