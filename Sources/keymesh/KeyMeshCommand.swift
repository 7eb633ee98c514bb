// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser

/// The `keymesh` command: a thin shell over the KeyMesh libraries.
@main
struct KeyMeshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keymesh",
        abstract: "End-to-end key exchange for users with many devices (Matrix-compatible Olm).",
        discussion: """
            KeyMesh speaks Olm (m.olm.v1.curve25519-aes-sha2), byte-compatible with libolm and vodozemac.
            `keymesh serve` runs the key server (Matrix client-server API for keys and to-device messages);
            `keymesh client` is one device in a terminal; `keymesh msl` speaks MSL key exchange as JSON lines;
            `keymesh bench` measures.
            """,
        version: KeyMeshVersion.current,
        subcommands: [ServeCommand.self, ClientCommand.self, ChannelCommand.self, MSLCommand.self, BenchCommand.self, StoreCommand.self]
    )
}

/// The release this binary was built from.
enum KeyMeshVersion {
    static let current = "0.1.0"
}
