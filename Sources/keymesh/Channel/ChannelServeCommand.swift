// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshChannel
import KeyMeshChannelNIO
import KeyMeshCrypto
import KeyMeshMatrixAPI

/// `keymesh channel serve`: accepts channels and prints one JSON line per event on stdout
/// (`listening` first, with the bound port); with `--echo` it returns every message.
struct ChannelServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Accept secure channels; print events as JSON lines, optionally echo.")

    @Option(help: "HOST:PORT to listen on (port 0 picks a free one).")
    var listen: String

    @Option(help: "The server's key file (from `keymesh channel keygen`).")
    var key: String

    @Flag(help: "Packet mode over UDP instead of a stream over TCP.")
    var udp = false

    @Option(help: "Wire format of stream mode: keymesh or curve_tun.")
    var profile: ChannelProfile = .keymesh

    @Flag(help: "Send every message back to its sender.")
    var echo = false

    @Option(help: "Accept only this client public key (hex); repeat for more. Default: any key. Stream mode only.")
    var allow: [String] = []

    @Option(help: "Close an established connection idle this many seconds (0: never). Stream mode only.")
    var idleTimeout: Int = Int(ChannelConfiguration.defaultIdleTimeout.components.seconds)

    @Option(help: "Close new connections at once while this many handshakes are in progress. Stream mode only.")
    var maxPendingHandshakes: Int = ChannelConfiguration.defaultMaximumPendingHandshakes

    @Option(help: "Close new connections at once while this many are open. Stream mode only.")
    var maxConnections: Int = ChannelConfiguration.defaultMaximumConnections

    @Option(help: "curve_tun: remember at most this many client ephemeral keys against replays (docs/channel-protocol.md §9).")
    var curveTunReplayCapacity: Int = CurveTunCookieRing.defaultCapacity

    /// Refusals of flag combinations, each one `error:` line and exit 1 (never a silent ignore).
    private func checkFlags() throws {
        if udp, profile != .keymesh { throw CLIError("--udp is the keymesh packet mode; curve_tun is TCP only") }
        // Packet-mode clients are anonymous (docs/channel-protocol.md §5): no client key to check.
        if udp, !allow.isEmpty {
            throw CLIError("--allow needs stream mode: packet-mode (--udp) clients are anonymous, so there is no client key to check")
        }
        if udp, idleTimeout != Int(ChannelConfiguration.defaultIdleTimeout.components.seconds) {
            throw CLIError("--idle-timeout is for stream mode; packet mode forgets associations idle for 120 s")
        }
        if udp, maxPendingHandshakes != ChannelConfiguration.defaultMaximumPendingHandshakes {
            throw CLIError("--max-pending-handshakes is for stream mode; packet mode has no handshake")
        }
        guard idleTimeout >= 0 else { throw CLIError("--idle-timeout must be 0 (never) or a number of seconds") }
        if udp, maxConnections != ChannelConfiguration.defaultMaximumConnections {
            throw CLIError("--max-connections is for stream mode; packet mode holds at most 4096 associations")
        }
        if profile != .curveTun, curveTunReplayCapacity != CurveTunCookieRing.defaultCapacity {
            throw CLIError("--curve-tun-replay-capacity is for --profile curve_tun; the keymesh handshake needs no replay cache")
        }
        guard curveTunReplayCapacity >= 1 else { throw CLIError("--curve-tun-replay-capacity must be at least 1") }
        guard maxConnections >= 1 else { throw CLIError("--max-connections must be at least 1") }
        guard maxPendingHandshakes >= 1 else { throw CLIError("--max-pending-handshakes must be at least 1") }
    }

    func run() async throws {
        try await CLIOutput.reportingErrors {
            try checkFlags()
            let address = try HostPort(listen)
            let identity = try ChannelKeyFile.read(key)
            let policy: ClientPolicy = allow.isEmpty ? .open : .allowList(Set(try allow.map(ChannelKeyFile.publicKey)))
            let keyHex = Hex.encode(identity.publicKey.rawRepresentation)
            let echo = echo
            if udp {
                try await PacketChannelServer.serve(host: address.host, port: address.port, identity: identity, onBound: { port in
                    Self.listening(address.host, port, keyHex, "udp", .keymesh)
                }, handler: { client, message in
                    Self.event("message", peer: client, Self.describe(message))
                    return echo ? message : nil
                })
                return
            }
            try await ChannelServer.listen(host: address.host, port: address.port, identity: identity, policy: policy,
                                           configuration: ChannelConfiguration(
                                               profile: profile, idleTimeout: idleTimeout == 0 ? nil : .seconds(idleTimeout),
                                               maximumPendingHandshakes: maxPendingHandshakes,
                                               maximumConnections: maxConnections,
                                               curveTunReplayCapacity: curveTunReplayCapacity)) { server in
                Self.listening(address.host, server.port, keyHex, "tcp", profile)
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in server.connections {
                            group.addTask { await Self.serve(connection, echo: echo) }
                        }
                    } catch {}
                }
            }
        }
    }

    private static func serve(_ connection: ChannelConnection, echo: Bool) async {
        var peer: Curve25519PublicKey?
        do {
            try await connection.run { session in
                peer = session.peerKey
                event("connected", peer: session.peerKey)
                for try await message in session.messages {
                    event("message", peer: session.peerKey, describe(message))
                    if echo { try await session.send(message) }
                }
                event("closed", peer: session.peerKey)
            }
        } catch {
            var fields: JSONObject = ["event": "failed", "error": .string("\(error)")]
            if let peer { fields["peer"] = .string(Hex.encode(peer.rawRepresentation)) }
            CLIOutput.printLine(fields)
        }
    }

    /// The size of a message, and its text when it is short enough to print (up to 4 KiB).
    private static func describe(_ message: [UInt8]) -> JSONObject {
        var fields: JSONObject = ["bytes": .int(Int64(message.count))]
        if message.count <= 4096 { fields["text"] = .string(String(decoding: message, as: UTF8.self)) }
        return fields
    }

    private static func listening(_ host: String, _ port: Int, _ key: String, _ transport: String, _ profile: ChannelProfile) {
        CLIOutput.printLine(["event": "listening", "address": .string("\(host):\(port)"), "port": .int(Int64(port)),
                             "key": .string(key), "transport": .string(transport), "profile": .string(profile.rawValue)])
    }

    private static func event(_ name: String, peer: Curve25519PublicKey, _ extra: JSONObject = [:]) {
        var fields = extra
        fields["event"] = .string(name)
        fields["peer"] = .string(Hex.encode(peer.rawRepresentation))
        CLIOutput.printLine(fields)
    }
}
