// swift-tools-version:6.1
// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors
//
// libFuzzer targets for every parser of untrusted input (docs/SECURITY.md, "Fuzzing"). A package
// of its own, so the main build never compiles fuzz code. Build and run with `scripts/fuzz`.
import Foundation
import PackageDescription

/// The identity SwiftPM gives the main package: its directory name, whatever the checkout is called.
let main = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

/// One fuzz target: an `@main` that hands its `LLVMFuzzerTestOneInput` to libFuzzer's driver.
func target(_ name: String, _ products: [String]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: main) })
}

let package = Package(
    name: "KeyMeshFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer", .product(name: "KeyMeshCrypto", package: main)]),
        target("fuzz-json", ["KeyMeshMatrixAPI"]),
        target("fuzz-canonical-json", ["KeyMeshMatrixAPI"]),
        target("fuzz-key-id", ["KeyMeshMatrixAPI"]),
        target("fuzz-olm-message", ["KeyMeshOlm"]),
        target("fuzz-olm-pickle", ["KeyMeshOlm", "KeyMeshCrypto"]),
        target("fuzz-channel", ["KeyMeshChannel", "KeyMeshCrypto"]),
        // MSLFuzzing.swift and its fixture are links to Tests/KeyMeshMSLTests/Hostile/ (the corpus replay).
        target("fuzz-msl", ["KeyMeshMSL", "KeyMeshCrypto", "KeyMeshMatrixAPI"]),
        // SyncToken is internal to KeyMeshServer (not a product): its source file is compiled
        // here beside a stand-in for MatrixError (Sources/fuzz-sync-token/SyncToken.swift is a link).
        target("fuzz-sync-token", []),
    ],
    swiftLanguageModes: [.v6]
)
