// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshCrypto
import KeyMeshMatrixAPI
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import KeyMeshServer

/// Amplification on the unauthenticated account endpoints (issue 12 item 6): `/register` and
/// `/login` are rate-limited per client address, failed logins per target user, password
/// hashes capped with a bounded queue, and admin nonces cost no database row.
@Suite("Rate limits of /register, /login and admin registration")
struct AuthLimitTests {
    static func expectLimited(_ reply: HTTPClient.Reply, _ what: String) {
        #expect(reply.status == 429, "\(what)")
        #expect(reply.body["errcode"] == "M_LIMIT_EXCEEDED", "\(what)")
        #expect((reply.body["retry_after_ms"]?.intValue ?? 0) > 0, "\(what)")
    }

    static let slow = AuthLimits.Rate(perSecond: 0.001, burst: 3)  // one more every 1000 s

    @Test("logins from one address beyond the burst get 429 with retry_after_ms, right password or not")
    func loginPerAddress() async throws {
        let config = Homeserver.config { $0.authLimits = .unlimitedRates; $0.authLimits.loginPerAddress = Self.slow }
        try await LiveServer.run(config) { port, _ in
            let http = HTTPClient(port: port)
            let alice = try await http.register("alice")
            let login: JSONObject = ["type": "m.login.password", "user": "alice", "password": .string(alice.password)]
            for _ in 0..<3 { #expect(try await http.call("POST", "login", json: login).status == 200) }
            let limited = try await http.call("POST", "login", json: login)
            Self.expectLimited(limited, "4th login")
            #expect((limited.body["retry_after_ms"]?.intValue ?? 0) > 900_000)  // truthful: ~1000 s at this rate
        }
    }

    @Test("registrations and UIA challenges from one address beyond the burst get 429 and store nothing")
    func registerPerAddress() async throws {
        let config = Homeserver.config { $0.authLimits = .unlimitedRates; $0.authLimits.registerPerAddress = Self.slow }
        try await LiveServer.run(config) { port, store in
            let http = HTTPClient(port: port)
            for n in 0..<3 {  // three UIA challenges: each stores a session
                #expect(try await http.call("POST", "register", json: ["username": .string("u\(n)"), "password": "pw"]).status == 401)
            }
            let sessions = try store.authSessionCount()
            let limited = try await http.call("POST", "register", json: ["username": "u9", "password": "pw",
                                                                         "auth": ["type": "m.login.dummy"]])
            Self.expectLimited(limited, "4th register")
            #expect(try store.authSessionCount() == sessions)
            #expect(try await store.passwordHash(of: "@u9:localhost") == nil)
        }
    }

    @Test("failed logins on one user from anywhere are limited; successful ones are not counted")
    func failedLoginsPerUser() async throws {
        try await Homeserver.run(Homeserver.config { $0.authLimits.failedLoginsPerUser = Self.slow }) { api in
            let alice = try await api.register("alice")
            for _ in 0..<5 { _ = try await api.login(alice) }  // successes cost nothing
            let wrong: JSONObject = ["type": "m.login.password", "identifier": ["type": "m.id.user", "user": "alice"],
                                     "password": "guess"]
            for _ in 0..<3 { #expect(try await api.call(.post, "login", json: wrong).status == .forbidden) }
            let limited = try await api.call(.post, "login", json: wrong)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errcode == "M_LIMIT_EXCEEDED")
            #expect(limited.headers[.retryAfter] != nil)
            // the same user under another spelling is the same target
            var upper = wrong
            upper["identifier"] = ["type": "m.id.user", "user": "@ALICE:localhost"]
            #expect(try await api.call(.post, "login", json: upper).status == .tooManyRequests)
            let bob = try await api.register("bob")
            #expect(try await api.login(bob).userID == bob.userID)  // another user is not affected
        }
    }

    @Test("password hashes: the concurrency cap holds, the queue is bounded, the rest get 429 with a wait")
    func hashGate() async throws {
        let gate = PasswordHashGate(concurrency: 1, queue: 1)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await gate.run {
                startedContinuation.yield()
                for await _ in release { break }
                return 1
            }
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        let waiter = Task { try await gate.run { 2 } }
        while gate.load.waiting < 1 { await Task.yield() }
        #expect(gate.load == (running: 1, waiting: 1))
        do {
            _ = try await gate.run { 3 }
            Issue.record("a third hash should have been refused")
        } catch let error as MatrixError {
            #expect(error.status == .tooManyRequests)
            #expect(error.errcode == "M_LIMIT_EXCEEDED")
            #expect((error.extra["retry_after_ms"]?.intValue ?? 0) >= 1)
        }
        releaseContinuation.yield()
        #expect(try await holder.value == 1)
        #expect(try await waiter.value == 2)
        #expect(gate.load == (running: 0, waiting: 0))
    }

    @Test("a login check for a user that does not exist costs a password hash, as a wrong password does")
    func unknownUserCostsAHash() async throws {
        var limits = AuthLimits()
        limits.passwordHashConcurrency = 1
        limits.passwordHashQueue = 0
        let hasher = PasswordHasher(strength: .minimum, limits: limits)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await hasher.gate.run {
                startedContinuation.yield()
                for await _ in release { break }
                return true
            }
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        // with the only slot taken, the check must queue for it like any hash: refused here, so it
        // is real work (answering false at once would let timing tell which user ids exist)
        await #expect(throws: MatrixError.self) { _ = try await hasher.verifyWithoutAccount("guess") }
        releaseContinuation.yield()
        #expect(try await holder.value)
        #expect(try await hasher.verifyWithoutAccount("guess") == false)
    }

    @Test("admin nonces: GET stores nothing; a forged, expired or reused nonce is refused; GET is rate-limited")
    func adminNonces() async throws {
        let config = Homeserver.config {
            $0.registration = .closed
            $0.registrationSharedSecret = "op-secret"
            $0.authLimits = .unlimitedRates
            $0.authLimits.registerPerAddress = AuthLimits.Rate(perSecond: 0.001, burst: 7)
        }
        try await LiveServer.run(config) { port, store in
            let http = AdminHTTP(port: port)
            var nonces: [String] = []
            for _ in 0..<4 { nonces.append(try #require(try await http.call("GET").body["nonce"]?.stringValue)) }
            #expect(try store.authSessionCount() == 0)
            #expect(Set(nonces).count == 4)
            // a forged nonce: one hex digit of the MAC changed
            var forged = Array(nonces[0])
            forged[79] = forged[79] == "0" ? "1" : "0"
            #expect(try await http.call("POST", body: http.body(String(forged), user: "opal")).status == 400)
            let first = try await http.call("POST", body: http.body(nonces[0], user: "opal"))
            #expect(first.status == 200, "\(first.body)")
            let reused = try await http.call("POST", body: http.body(nonces[0], user: "opal2"))
            #expect(reused.status == 400)
            #expect(try await store.passwordHash(of: "@opal2:localhost") == nil)
            // the eighth call from this address (4 GETs, 3 POSTs before) is over the burst of 7
            let limited = try await http.call("GET")
            #expect(limited.status == 429)
            #expect(limited.body["errcode"] == "M_LIMIT_EXCEEDED")
        }
        let nonce = AdminNonce()
        let issued = nonce.issue(now: 1_000_000)
        #expect(nonce.isValid(issued, now: 1_000_000 + 3599))
        #expect(!nonce.isValid(issued, now: 1_000_000 + 3600))
        #expect(!AdminNonce().isValid(issued, now: 1_000_000))  // another process's key
    }
}

/// `/_synapse/admin/v1/register` over a real socket, with Synapse's MAC.
struct AdminHTTP {
    let port: Int

    func call(_ method: String, body: JSONObject? = nil) async throws -> HTTPClient.Reply {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/_synapse/admin/v1/register"))
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body { request.httpBody = Data(try CanonicalJSON.encode(.object(body))) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return HTTPClient.Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0,
                                body: try JSONParser.parse(Array(data)).objectValue ?? [:])
    }

    func body(_ nonce: String, user: String, secret: String = "op-secret") -> JSONObject {
        let message = Array(nonce.utf8) + [0] + Array(user.utf8) + [0] + Array("pw".utf8) + [0] + Array("notadmin".utf8)
        return ["nonce": .string(nonce), "username": .string(user), "password": "pw", "admin": false,
                "mac": .string(TestHMAC.sha1Hex(key: Array(secret.utf8), message: message))]
    }
}
