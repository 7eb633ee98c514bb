// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

/// Slowloris: connections that send a request head or body too slowly, or sit idle, are
/// closed by the server's deadlines (issue 12 item 3; docs/SECURITY.md "Tests that attack").
/// The deadline under test is short (1-2 s) and the other two are long, so a loaded machine
/// that stalls a test for a second cannot trip a deadline the test is not about (the test
/// client's own kept-alive connections included); each check waits at most 8 s for the server to
/// act, so a server without deadlines fails instead of hanging.
@Suite("Attacks: slow clients")
struct SlowClientAttacks {
    static func bench(head: Duration = .seconds(30), body: Duration = .seconds(30), idle: Duration = .seconds(30),
                      _ run: @Sendable (AttackBench) async throws -> Void) async throws {
        try await AttackBench.run({ $0.deadlines = .init(head: head, body: body, idle: idle) }, run)
    }

    /// Whether the server ends the connection (a close, or a 408 reply) before the 8 s timeout.
    static func closedByServer(_ connection: RawHTTP) async -> Bool {
        do {
            let reply = try await connection.reply()
            return reply.status == 408
        } catch RawHTTP.Failure.timedOut {
            return false
        } catch {
            return true
        }
    }

    @Test("a request head that never ends, or trickles in a byte at a time, is cut by the head deadline")
    func slowHead() async throws {
        try await Self.bench(head: .seconds(1)) { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let stalled = try RawHTTP(port: bench.port, timeout: 8)
            try await stalled.send("POST /_matrix/client/v3/login HTTP/1.1\r\nHost: localhost\r\n")
            #expect(await Self.closedByServer(stalled), "a stalled head was never closed")

            let trickle = try RawHTTP(port: bench.port, timeout: 8)
            let head = Array("GET /_matrix/client/v3/account/whoami HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".utf8)
                + Array(repeating: UInt8(ascii: "a"), count: 40)
            var cut = false
            for byte in head {
                do { try await trickle.send([byte]) } catch { cut = true; break }
                try await Task.sleep(for: .milliseconds(200))  // 40+ bytes at 5 a second: 8 s in all
            }
            #expect(cut ? true : await Self.closedByServer(trickle), "a head sent a byte at a time was never cut")
            try await bench.expectAlive(alice, "after slow heads", #_sourceLocation)
        }
    }

    @Test("a body that stops halfway is cut by the body deadline and stores nothing")
    func slowBody() async throws {
        try await Self.bench(body: .seconds(1)) { bench in
            let alice = try await bench.api.register("alice", deviceID: "DEV")
            let body = try CanonicalJSON.encode(.object([
                "device_keys": .object(alice.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)),
            ]))
            let before = try bench.snapshot()
            let connection = try RawHTTP(port: bench.port, timeout: 8)
            try await connection.send("POST /_matrix/client/v3/keys/upload HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer \(alice.token)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n")
            try await connection.send(Array(body.prefix(body.count / 2)))
            #expect(await Self.closedByServer(connection), "a stalled body was never closed")
            #expect(try bench.snapshot() == before)
            try await bench.expectAlive(alice, "after a slow body", #_sourceLocation)
        }
    }

    @Test("a kept-alive connection that sends nothing more is closed by the idle deadline")
    func idleConnection() async throws {
        try await Self.bench(idle: .seconds(2)) { bench in
            // Raw connections only: the test client's own kept-alive connection would itself be
            // closed by a 2 s idle deadline on a loaded machine. One request is answered first, so
            // the connection is known to work; a machine that stalls past the deadline between
            // connect and send gets a fresh connection.
            var answered: RawHTTP?
            for _ in 0..<3 where answered == nil {
                let connection = try RawHTTP(port: bench.port, timeout: 8)
                do {
                    try await connection.send("GET /_matrix/client/versions HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    if try await connection.reply().status == 200 { answered = connection }
                } catch {
                    continue
                }
            }
            guard let connection = answered else {
                Issue.record("no connection got an answer")
                return
            }
            #expect(await Self.closedByServer(connection), "an idle connection was never closed")
        }
    }
}
