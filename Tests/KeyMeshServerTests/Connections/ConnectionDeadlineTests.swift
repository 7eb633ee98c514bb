// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import HummingbirdTesting
import KeyMeshStoreSQLite
import Logging
import NIOCore
import Testing

@testable import KeyMeshServer

/// Slow clients over a real socket (issue 12 item 3): a client that stops sending mid-head or
/// mid-body, or idles between requests, is disconnected at its deadline; a long-polling
/// `/sync`, where the server is the one waiting, is not. The deadline under test is 1-2 s, the
/// others 30 s, so a loaded machine cannot close a connection for another reason first.
@Suite("Connection deadlines (slowloris)")
struct ConnectionDeadlineTests {
    /// A live server with these deadlines on port 0; `body` gets its port.
    static func live<T: Sendable>(head: Duration = .seconds(30), body bodyTime: Duration = .seconds(30), idle: Duration = .seconds(30),
                                  _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let deadlines = HTTPDeadlines(head: head, body: bodyTime, idle: idle)
        let config = Homeserver.config {
            $0.host = "127.0.0.1"
            $0.port = 0
            $0.deadlines = deadlines
        }
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        var logger = Logger(label: "deadline-test")
        logger.logLevel = .warning
        let app = makeApplication(config: config, store: try SQLiteStore(path: config.databasePath), logger: logger)
        return try await app.test(.live) { client in try await body(try #require(client.port)) }
    }

    @Test("half a request head, then silence: the connection is closed at the head deadline")
    func halfHeader() async throws {
        try await Self.live(head: .seconds(1)) { port in
            let outcome = try await RawConnection.send("GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\nX-Slow: ", port: port)
            #expect(outcome.closed)
            #expect(outcome.received.isEmpty)  // nothing was answered: the request never completed
        }
    }

    @Test("a head and part of the body, then silence: the connection is closed at the body deadline")
    func partialBody() async throws {
        try await Self.live(body: .seconds(1)) { port in
            let head = "POST /_matrix/client/v3/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            let outcome = try await RawConnection.send(head + #"{"type":"m.login.pass"#, port: port)
            #expect(outcome.closed)
            #expect(!outcome.received.contains("200 OK"))
        }
    }

    @Test("an idle keep-alive connection is closed at the idle deadline after its response")
    func idleKeepAlive() async throws {
        try await Self.live(idle: .seconds(2)) { port in
            let outcome = try await RawConnection.send("GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\n\r\n", port: port)
            #expect(outcome.closed)
            #expect(outcome.received.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("a /sync long-poll longer than every deadline still gets its answer")
    func longPoll() async throws {
        try await Self.live(head: .seconds(1), body: .seconds(1), idle: .seconds(2)) { port in
            let http = HTTPClient(port: port)
            let alice = try await http.register("alice")
            let first = try await http.call("GET", "sync", token: alice.token)
            let since = try #require(first.body["next_batch"]?.stringValue)
            // 3 s of waiting on the server's side, past the head, body and idle deadlines
            let polled = try await http.call("GET", "sync?since=\(since)&timeout=3000", token: alice.token)
            #expect(polled.status == 200)
            #expect(polled.body["next_batch"]?.stringValue != nil)
        }
    }

    @Test("the deadline follows the phase: head, then body, none while answering, then idle")
    func stateMachine() {
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let limits = HTTPDeadlines(head: .seconds(10), body: .seconds(30), idle: .seconds(60))
        var state = ConnectionDeadlines(limits: limits, now: start)
        #expect(state.deadline == start + .seconds(60))
        state.bytesArrived(now: start + .seconds(1))
        #expect(state.deadline == start + .seconds(11))
        state.bytesArrived(now: start + .seconds(5))  // more of the same head: the clock does not restart
        #expect(state.deadline == start + .seconds(11))
        state.headReceived(now: start + .seconds(2))
        #expect(state.deadline == start + .seconds(32))
        state.endReceived(now: start + .seconds(3))
        #expect(state.deadline == nil)  // the server is answering (a long-poll may take minutes)
        state.writabilityChanged(isWritable: false, now: start + .seconds(4))
        #expect(state.deadline == start + .seconds(64))  // unless the client stops reading
        state.writabilityChanged(isWritable: true, now: start + .seconds(5))
        state.responseEnded(now: start + .seconds(100))
        #expect(state.deadline == start + .seconds(160))
    }
}
