// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshChannel
import KeyMeshChannelNIO
import KeyMeshCrypto

/// `keymesh channel connect HOST:PORT --server-key KEY`: each stdin line goes out as one message;
/// each message received is printed on stdout with a newline. At the end of stdin it waits
/// `--linger` seconds for replies, then closes cleanly.
struct ChannelConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect", abstract: "Open a secure channel: stdin lines out, received messages to stdout.")

    @Argument(help: "HOST:PORT of the server.")
    var address: String

    @Option(help: "The server's public key (64 hex characters).")
    var serverKey: String

    @Option(help: "This client's key file; without it the client is anonymous (a fresh key).")
    var key: String?

    @Flag(help: "Packet mode over UDP instead of a stream over TCP.")
    var udp = false

    @Option(help: "Wire format of stream mode: keymesh or curve_tun.")
    var profile: ChannelProfile = .keymesh

    @Option(help: "Seconds to wait for replies after the end of stdin.")
    var linger = 1.0

    func run() async throws {
        try await CLIOutput.reportingErrors {
            // Packet-mode clients are anonymous (docs/channel-protocol.md §5): a key would be ignored.
            if udp, key != nil { throw CLIError("--key needs stream mode: packet-mode (--udp) clients are anonymous") }
            if udp, profile != .keymesh { throw CLIError("--udp is the keymesh packet mode; curve_tun is TCP only") }
            let server = try HostPort(address)
            let serverKey = try ChannelKeyFile.publicKey(self.serverKey)
            let identity = try key.map(ChannelKeyFile.read)
            let linger = Duration.milliseconds(Int64(max(0, self.linger) * 1000))
            if udp {
                try await PacketChannelClient.connect(host: server.host, port: server.port, serverKey: serverKey) { session in
                    try await Self.pump(send: { try await session.send($0) }, messages: session.messages, linger: linger)
                }
            } else {
                try await ChannelClient.connect(host: server.host, port: server.port, serverKey: serverKey, identity: identity,
                                                configuration: ChannelConfiguration(profile: profile)) { session in
                    try await Self.pump(send: { try await session.send($0) }, messages: session.messages, linger: linger)
                }
            }
        }
    }

    /// Stdin lines to `send`, `messages` to stdout, until stdin ends (plus `linger`) or the peer closes.
    private static func pump<Messages: AsyncSequence & Sendable>(
        send: (([UInt8]) async throws -> Void), messages: Messages, linger: Duration
    ) async throws where Messages.Element == [UInt8] {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for try await message in messages {
                    FileHandle.standardOutput.write(Data(message + [UInt8(ascii: "\n")]))
                }
                return true // the peer closed
            }
            while let line = readLine(strippingNewline: true) {
                try await send(Array(line.utf8))
            }
            group.addTask {
                try await Task.sleep(for: linger)
                return false
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }
}
