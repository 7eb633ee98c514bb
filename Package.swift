// swift-tools-version:6.1
// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "KeyMesh",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KeyMeshCrypto", targets: ["KeyMeshCrypto"]),
        .library(name: "KeyMeshWire", targets: ["KeyMeshWire"]),
        .library(name: "KeyMeshOlm", targets: ["KeyMeshOlm"]),
        .library(name: "KeyMeshMatrixAPI", targets: ["KeyMeshMatrixAPI"]),
        .library(name: "KeyMeshCrossSigning", targets: ["KeyMeshCrossSigning"]),
        .library(name: "KeyMeshP2P", targets: ["KeyMeshP2P"]),
        .library(name: "KeyMeshMSL", targets: ["KeyMeshMSL"]),
        .library(name: "KeyMeshClient", targets: ["KeyMeshClient"]),
        .library(name: "KeyMeshStore", targets: ["KeyMeshStore"]),
        .library(name: "KeyMeshStoreSQLite", targets: ["KeyMeshStoreSQLite"]),
        .library(name: "KeyMeshStorePostgres", targets: ["KeyMeshStorePostgres"]),
        .library(name: "KeyMeshChannel", targets: ["KeyMeshChannel"]),
        .library(name: "KeyMeshChannelNIO", targets: ["KeyMeshChannelNIO"]),
        .executable(name: "keymesh", targets: ["keymesh"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(
            name: "KeyMeshCrypto",
            dependencies: [
                "CSodium",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(name: "KeyMeshWire", dependencies: [], swiftSettings: strict),
        .target(
            name: "KeyMeshOlm",
            dependencies: ["KeyMeshCrypto", "KeyMeshWire", "KeyMeshMatrixAPI"],
            swiftSettings: strict
        ),
        .target(name: "KeyMeshMatrixAPI", dependencies: ["KeyMeshCrypto"], swiftSettings: strict),
        .target(name: "KeyMeshCrossSigning", dependencies: ["KeyMeshCrypto", "KeyMeshMatrixAPI"], swiftSettings: strict),
        .target(
            name: "KeyMeshP2P",
            dependencies: ["KeyMeshCrypto", "KeyMeshMatrixAPI", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "KeyMeshMSL",
            dependencies: [
                "KeyMeshCrypto", "KeyMeshMatrixAPI", "CLibCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KeyMeshClient",
            dependencies: [
                "KeyMeshCrypto", "KeyMeshMatrixAPI", "KeyMeshOlm", "KeyMeshCrossSigning", "KeyMeshP2P", "KeyMeshMSL",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .target(name: "KeyMeshChannel", dependencies: ["KeyMeshCrypto"], swiftSettings: strict),
        .target(
            name: "KeyMeshChannelNIO",
            dependencies: [
                "KeyMeshChannel", "KeyMeshCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(name: "KeyMeshStore", dependencies: ["KeyMeshMatrixAPI"], swiftSettings: strict),
        .target(
            name: "KeyMeshStoreSQLite",
            dependencies: ["KeyMeshStore", "KeyMeshMatrixAPI", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "KeyMeshStorePostgres",
            dependencies: [
                "KeyMeshStore", "KeyMeshMatrixAPI",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KeyMeshServer",
            dependencies: [
                "KeyMeshCrypto", "KeyMeshMatrixAPI", "KeyMeshCrossSigning", "KeyMeshStore", "KeyMeshMSL",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KeyMeshTestSupport",
            dependencies: [
                "KeyMeshCrypto", "KeyMeshMatrixAPI", "KeyMeshStorePostgres", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "keymesh",
            dependencies: [
                "KeyMeshCrypto", "KeyMeshOlm", "KeyMeshMatrixAPI", "KeyMeshServer", "KeyMeshStore", "KeyMeshStoreSQLite", "KeyMeshStorePostgres",
                "KeyMeshClient", "KeyMeshCrossSigning", "KeyMeshChannel", "KeyMeshChannelNIO", "KeyMeshP2P", "KeyMeshMSL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KeyMeshCryptoTests",
            dependencies: ["KeyMeshCrypto", "KeyMeshTestSupport"],
            exclude: ["Vectors"]
        ),
        .testTarget(
            name: "KeyMeshWireTests",
            dependencies: ["KeyMeshWire", "KeyMeshTestSupport"]
        ),
        .testTarget(
            name: "KeyMeshMatrixAPITests",
            dependencies: ["KeyMeshMatrixAPI", "KeyMeshCrypto", "KeyMeshTestSupport"],
            exclude: ["Vectors", "Corpus"]
        ),
        .testTarget(
            name: "KeyMeshOlmTests",
            dependencies: ["KeyMeshOlm", "KeyMeshCrypto", "KeyMeshMatrixAPI", "KeyMeshTestSupport"],
            exclude: ["Vectors", "Corpus"]
        ),
        .testTarget(
            name: "KeyMeshStoreTests",
            dependencies: ["KeyMeshStore", "KeyMeshStoreSQLite", "KeyMeshStorePostgres", "KeyMeshMatrixAPI", "KeyMeshTestSupport"]
        ),
        .testTarget(
            name: "KeyMeshServerTests",
            dependencies: [
                "KeyMeshServer", "KeyMeshStore", "KeyMeshStoreSQLite", "KeyMeshStorePostgres", "KeyMeshOlm", "KeyMeshCrypto",
                "KeyMeshMatrixAPI", "KeyMeshCrossSigning", "KeyMeshMSL", "KeyMeshTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Peers", "Corpus"]
        ),
        .testTarget(
            name: "KeyMeshClientTests",
            dependencies: [
                "KeyMeshClient", "KeyMeshServer", "KeyMeshStoreSQLite", "KeyMeshMatrixAPI", "KeyMeshOlm", "KeyMeshCrypto",
                "KeyMeshCrossSigning", "KeyMeshMSL", "KeyMeshTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            exclude: ["Peers"]
        ),
        .testTarget(
            name: "KeyMeshChannelTests",
            dependencies: [
                "KeyMeshChannel", "KeyMeshChannelNIO", "KeyMeshCrypto", "KeyMeshMatrixAPI", "KeyMeshTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Vectors", "Peers", "Corpus"]
        ),
        .testTarget(
            name: "KeyMeshP2PTests",
            dependencies: ["KeyMeshP2P", "KeyMeshCrypto", "KeyMeshMatrixAPI", "KeyMeshTestSupport"],
            exclude: ["Vectors", "Peers"]
        ),
        .testTarget(
            name: "KeyMeshMSLTests",
            dependencies: ["KeyMeshMSL", "KeyMeshCrypto", "KeyMeshMatrixAPI", "KeyMeshTestSupport"],
            exclude: ["Vectors", "Peers", "Corpus"]
        ),
        .testTarget(
            name: "KeyMeshCrossSigningTests",
            dependencies: ["KeyMeshCrossSigning", "KeyMeshCrypto", "KeyMeshMatrixAPI", "KeyMeshOlm", "KeyMeshTestSupport"]
        ),
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "KeyMeshOlm", "KeyMeshCrypto", "KeyMeshMatrixAPI", "KeyMeshCrossSigning", "KeyMeshTestSupport",
                "KeyMeshServer", "KeyMeshStoreSQLite",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Peers"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
