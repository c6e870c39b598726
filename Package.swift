// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every target (see ../shared/STYLE.md).
let swiftSettings: [SwiftSetting] = [
    // SE-0335: `any` spelled out for existentials.
    .enableUpcomingFeature("ExistentialAny"),
    // SE-0444: members are visible only from modules this file imports.
    .enableUpcomingFeature("MemberImportVisibility"),
    // SE-0409: imports are internal unless marked public.
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "StreamVault",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "streamvault", targets: ["streamvault"]),
        .library(name: "StreamModel", targets: ["StreamModel"]),
        .library(name: "AWSCore", targets: ["AWSCore"]),
        .library(name: "ArchiveStore", targets: ["ArchiveStore"]),
        .library(name: "StreamSources", targets: ["StreamSources"]),
        .library(name: "Replay", targets: ["Replay"]),
        .library(name: "ArchiveExport", targets: ["ArchiveExport"]),
        .library(name: "ArchiveServer", targets: ["ArchiveServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        // gzip for the files of DynamoDB's export-to-S3 layouts (ArchiveExport).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(
            name: "StreamModel",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ArchiveStore",
            dependencies: [
                "StreamModel", "CZstd", "AWSCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Replay",
            dependencies: [
                "StreamModel", "ArchiveStore", "AWSCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // Exports, verify-export and point-in-time snapshots: files an auditor can check without StreamVault.
        .target(
            name: "ArchiveExport",
            dependencies: [
                "Replay", "ArchiveStore", "StreamModel", "CZstd", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // SigV4, credentials/region/endpoint, the JSON-protocol client, AWSError, RetryPolicy: below everything that
        // talks to AWS (the archiver, the server, the S3 tier); nothing in the project above StreamModel.
        .target(
            name: "AWSCore",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StreamSources",
            dependencies: [
                "StreamModel", "ArchiveStore", "AWSCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ArchiveServer",
            dependencies: [
                "StreamModel", "ArchiveStore", "Replay", "AWSCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "SampleData", dependencies: ["StreamModel"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "streamvault",
            dependencies: [
                "StreamModel", "ArchiveStore", "Replay", "ArchiveExport", "StreamSources", "AWSCore", "ArchiveServer", "SampleData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings,
            // The release binary carries the Swift runtime and Foundation: no loading and relocating of twenty
            // shared libraries at every start (a one-minute replay is mostly start-up), and it runs on machines
            // without a Swift toolchain. The Foundation libraries are named because only modules compiled with
            // `-static-stdlib` (all of them, with `swift build --static-swift-stdlib`) would name them themselves.
            // Not position-independent: the loader then has ~2k relocations to apply instead of ~145k, and the
            // pages they would touch stay shared and clean (measured: 2.2M -> 0.4M cycles in ld.so, 917 -> 507
            // page faults for `--version`).
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-static-stdlib", "-lFoundationInternationalization", "-lFoundationEssentials", "-lCoreFoundation",
                        "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections", "-Xclang-linker", "-no-pie",
                    ],
                    .when(platforms: [.linux], configuration: .release)
                )
            ]
        ),
        .target(
            name: "StreamVaultTesting",
            dependencies: ["StreamModel", "SampleData"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "StreamModelTests", dependencies: ["StreamModel", "SampleData", "StreamVaultTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ArchiveStoreTests",
            dependencies: [
                "ArchiveStore", "StreamModel", "SampleData", "StreamVaultTesting", "AWSCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArchiveExportTests",
            dependencies: ["ArchiveExport", "Replay", "ArchiveStore", "StreamModel", "SampleData", "StreamVaultTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "ArchiveStore", "SampleData", "StreamVaultTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AWSCoreTests",
            dependencies: ["AWSCore", "StreamVaultTesting", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            resources: [.copy("SigV4Vectors")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StreamSourcesTests",
            dependencies: [
                "StreamSources", "AWSCore", "StreamVaultTesting", "ArchiveStore", "StreamModel",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArchiveServerTests",
            dependencies: [
                "ArchiveServer", "ArchiveStore", "StreamModel", "AWSCore", "StreamVaultTesting", "SampleData",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Depends on the `streamvault` executable so even `swift test --filter StreamVaultCLITests` builds it
        // first: the CLI tests run the binary and must never run one built from older sources.
        .testTarget(
            name: "StreamVaultCLITests",
            dependencies: ["streamvault", "StreamVaultTesting", "StreamModel", "SampleData", "ArchiveStore"],
            swiftSettings: swiftSettings
        ),
    ]
)
