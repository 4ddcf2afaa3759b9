// swift-tools-version: 6.1
import PackageDescription

/// Release builds skip dynamic exclusivity checks in the byte path (measured: about 6 % of
/// ingest time); debug builds and tests keep them.
let hotPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "mailflow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mailflow", targets: ["mailflow"]),
        .library(name: "MailflowCore", targets: ["MailflowCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(
            name: "MailflowScanner",
            dependencies: ["CZlib"],
            swiftSettings: hotPathSettings
        ),
        .target(
            name: "MailflowCore",
            dependencies: [
                "MailflowScanner",
                "CSQLite",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Resources/schema.sql"),
                .embedInCode("Resources/status-codes.tsv"),
            ],
            swiftSettings: hotPathSettings
        ),
        .executableTarget(
            name: "mailflow",
            dependencies: [
                "MailflowCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "MailflowScannerTests", dependencies: ["MailflowScanner"]),
        .testTarget(name: "MailflowCoreTests", dependencies: ["MailflowCore", "MailflowScanner"], exclude: ["Fixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["MailflowCore"], exclude: ["Fixtures"]),
    ]
)

// The libFuzzer target (tokenizer + message tracking decoder) exists only when asked for:
// libFuzzer brings its own `main`, so it cannot link in a normal build. See Fuzz/run.sh.
if Context.environment["MAILFLOW_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "mailflow-fuzz",
        dependencies: ["MailflowCore", "MailflowScanner"],
        path: "Fuzz",
        exclude: ["corpus", "run.sh"],
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    ))
}

