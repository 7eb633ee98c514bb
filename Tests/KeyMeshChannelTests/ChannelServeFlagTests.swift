// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshTestSupport
import Testing

/// `keymesh channel serve` / `connect` refuse flag combinations they cannot honour, with one
/// `error:` line and exit status 1, instead of ignoring a flag (issue 12 item 7).
@Suite("keymesh channel: flags that cannot apply are refused")
struct ChannelServeFlagTests {
    /// Runs `keymesh channel <arguments>` with a fresh key file in place of `KEY`.
    private func run(_ arguments: [String]) throws -> CommandRun {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-\(UUID().uuidString).key").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try CommandRun.run(ServeProcess.binary.path, ["channel", "keygen", "--out", path])
        // A timeout bounds the old behaviour (a server that starts and never exits).
        return try CommandRun.run(ServeProcess.binary.path, ["channel"] + arguments.map { $0 == "KEY" ? path : $0 }, timeout: 20)
    }

    private func expectRefused(_ run: CommandRun, mentioning flag: String, _ sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 1, "status \(run.status)", sourceLocation: sourceLocation)
        let lines = run.errors.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(run.errors)", sourceLocation: sourceLocation)
        #expect(lines.first?.hasPrefix("error: \(flag)") == true, "stderr: \(run.errors)", sourceLocation: sourceLocation)
        #expect(run.lines.isEmpty, "nothing listened: \(run.output)", sourceLocation: sourceLocation)
    }

    @Test("serve --udp --allow K: refused (packet-mode clients are anonymous, there is no key to check)")
    func udpAllow() throws {
        let client = try ChannelServe.keygen()
        expectRefused(try run(["serve", "--listen", "127.0.0.1:0", "--key", "KEY", "--udp", "--allow", client.publicKey]),
                      mentioning: "--allow")
    }

    @Test("serve --udp with --idle-timeout, --max-pending-handshakes or --max-connections: refused (stream-mode settings)")
    func udpStreamSettings() throws {
        expectRefused(try run(["serve", "--listen", "127.0.0.1:0", "--key", "KEY", "--udp", "--idle-timeout", "10"]),
                      mentioning: "--idle-timeout")
        expectRefused(try run(["serve", "--listen", "127.0.0.1:0", "--key", "KEY", "--udp", "--max-pending-handshakes", "8"]),
                      mentioning: "--max-pending-handshakes")
        expectRefused(try run(["serve", "--listen", "127.0.0.1:0", "--key", "KEY", "--udp", "--max-connections", "8"]),
                      mentioning: "--max-connections")
    }

    @Test("--curve-tun-replay-capacity without --profile curve_tun: refused (the keymesh handshake has no cache)")
    func replayCapacityNeedsCurveTun() throws {
        expectRefused(try run(["serve", "--listen", "127.0.0.1:0", "--key", "KEY", "--curve-tun-replay-capacity", "8"]),
                      mentioning: "--curve-tun-replay-capacity")
    }

    @Test("connect --udp --key: refused (a packet-mode client is anonymous)")
    func connectUDPKey() throws {
        let server = try ChannelServe.keygen()
        expectRefused(try run(["connect", "127.0.0.1:9", "--server-key", server.publicKey, "--key", "KEY", "--udp"]),
                      mentioning: "--key")
    }
}
