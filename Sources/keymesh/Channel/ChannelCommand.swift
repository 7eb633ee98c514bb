// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import KeyMeshChannelNIO
import KeyMeshCrypto

/// `keymesh channel …`: the secure channel (docs/channel-protocol.md) from a terminal.
struct ChannelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channel",
        abstract: "Secure channel: NaCl boxes over TCP (stream) or UDP (packet).",
        subcommands: [ChannelKeygenCommand.self, ChannelServeCommand.self, ChannelConnectCommand.self]
    )
}

/// `keymesh channel keygen --out FILE`.
struct ChannelKeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Write a new long-term key (mode 0600) and print its public key in hex.")

    @Option(help: "Where to write the secret key.")
    var out: String

    func run() throws {
        let key = Curve25519SecretKey()
        try ChannelKeyFile.write(key, to: out)
        print(Hex.encode(key.publicKey.rawRepresentation))
    }
}

extension ChannelProfile: ExpressibleByArgument {}
