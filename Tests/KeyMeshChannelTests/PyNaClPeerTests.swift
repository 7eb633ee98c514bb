// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// `keymesh channel serve` against Peers/channel_peer.py: a PyNaCl client written from
/// docs/channel-protocol.md alone. Passing proves the spec is exact and the boxes are real NaCl.
@Suite("PyNaCl peer against keymesh channel serve", .serialized)
struct PyNaClPeerTests {
    static let peer = PythonPeer.packageRoot.appendingPathComponent("Tests/KeyMeshChannelTests/Peers/channel_peer.py")

    @Test("stream: handshake, 0 B … 200 kB messages echoed (chunked), clean close")
    func stream() async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        let server = try ChannelServe(["--echo"])
        defer { server.stop() }
        let result = try await runPeer(["stream", "--host", "127.0.0.1", "--port", "\(server.port)", "--server-key", server.key])
        #expect(result["ok"] == true, "\(result)")
        #expect(result["echoed"] == 6)
    }

    @Test("replay: a record sent twice makes the server close with reason 0x01, no second echo")
    func replay() async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        let server = try ChannelServe(["--echo"])
        defer { server.stop() }
        let result = try await runPeer(["replay", "--host", "127.0.0.1", "--port", "\(server.port)", "--server-key", server.key])
        #expect(result["ok"] == true, "\(result)")
        #expect(result["reason"] == 1)
    }

    @Test("allow-list: a pinned PyNaCl client key is accepted, any other gets Close 0x03")
    func allowList() async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        let (clientSecret, clientPublic) = try ChannelServe.keygen()
        let server = try ChannelServe(["--echo", "--allow", clientPublic])
        defer { server.stop() }
        let accepted = try await runPeer(["stream", "--host", "127.0.0.1", "--port", "\(server.port)", "--server-key", server.key,
                                    "--client-secret", clientSecret, "--sizes", "3,70000"])
        #expect(accepted["ok"] == true, "\(accepted)")
        #expect(accepted["client_key"] == .string(clientPublic))
        let refused = try await runPeer(["refused", "--host", "127.0.0.1", "--port", "\(server.port)", "--server-key", server.key])
        #expect(refused["ok"] == true, "\(refused)")
        #expect(refused["reason"] == 3)
    }

    @Test("idle timeout: a silent PyNaCl client gets Close 0x04 from `serve --idle-timeout 1`, then TCP closes")
    func idle() async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        let server = try ChannelServe(["--echo", "--idle-timeout", "1"])
        defer { server.stop() }
        let result = try await runPeer(["idle", "--host", "127.0.0.1", "--port", "\(server.port)", "--server-key", server.key])
        #expect(result["ok"] == true, "\(result)")
        #expect(result["reason"] == 4)
    }

    @Test("packet mode over UDP: messages echoed, a duplicate datagram is not")
    func packet() async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        let server = try ChannelServe(["--echo", "--udp"])
        defer { server.stop() }
        let result = try await runPeer(["packet", "--host", "127.0.0.1", "--port", "\(server.port)", "--server-key", server.key,
                                  "--count", "8"])
        #expect(result["ok"] == true, "\(result)")
        #expect(result["echoed"] == 8)
        #expect(result["duplicate_echoed"] == false)
    }

    /// Runs the peer; its last stdout line is one JSON object (`{"ok": …}`).
    private func runPeer(_ arguments: [String]) async throws -> JSONObject {
        let run = try await CommandRun.run(PythonPeer.python, [Self.peer.path] + arguments, timeout: 60)
        return try #require(run.lines.last, "peer printed: \(run.output) \(run.errors)")
    }
}
