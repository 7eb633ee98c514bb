// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Logging
import Testing

/// `keymesh store copy` end to end (docs/STORE.md "Moving from SQLite to PostgreSQL"): a SQLite
/// deployment with accounts, keys, a claim and an unread to-device message is stopped, copied,
/// and served from PostgreSQL, and every client continues: tokens, key counts, the unread
/// message, claims in order that never repeat a key.
@Suite("keymesh store copy: SQLite deployment served again from PostgreSQL", .serialized)
struct StoreCopyRoundTripTests {
    static let logger = Logger(label: "keymesh.test.store-copy")

    /// The flags of ``ServeProcess/start(port:dataDir:extra:)``: cheap passwords, no rate limits.
    static func serveArguments(port: Int, dataDir: String) -> [String] {
        ["--port", "\(port)", "--data-dir", dataDir, "--log-level", "warning", "--password-strength", "minimum",
         "--claim-rate", "0", "--register-rate", "0", "--login-rate", "0", "--failed-login-rate", "0"]
    }

    /// The environment every child gets: no store chosen by the caller's environment, the
    /// PostgreSQL password (if any) in KEYMESH_DATABASE_PASSWORD, never in a flag.
    static func environment(_ database: PostgresTestDatabase) -> [String: String] {
        var environment = ["KEYMESH_DATABASE": ""]
        if let password = database.password { environment["KEYMESH_DATABASE_PASSWORD"] = password }
        return environment
    }

    @Test("register, upload, claim, queue a message on SQLite; stop, copy, serve from PostgreSQL: everyone continues",
          .timeLimit(.minutes(5)))
    func roundTrip() async throws {
        switch PostgresTestDatabase.availability {
        case .available: break
        case .skip(let why):
            Self.logger.warning("SKIPPING the store copy round trip (SQLite deployment into PostgreSQL): \(why)")
            return
        case .fail(let why): Issue.record(Comment(rawValue: why)); return
        }
        let database = try await PostgresTestDatabase.create()
        let dataDir = ServeProcess.temporaryDataDir()
        do {
            try await run(database: database, dataDir: dataDir)
        } catch {
            try? await database.drop()
            throw error
        }
        try? await database.drop()
        try? FileManager.default.removeItem(atPath: dataDir)
    }

    private func run(database: PostgresTestDatabase, dataDir: String) async throws {
        let environment = Self.environment(database)
        // 1. the SQLite deployment
        let port = ServeProcess.freePort()
        let sqlite = try await Self.start(Self.serveArguments(port: port, dataDir: dataDir), environment: environment)
        let before = HTTPClient(port: port)
        let alice = try await before.register("alice")
        let bob = try await before.register("bob")
        try await before.uploadKeys(alice, oneTimeKeys: 5)
        try await before.uploadKeys(bob, oneTimeKeys: 3)
        let firstClaim = try #require(try await Self.claim(before, by: bob, of: alice))
        let sent = try await before.call("PUT", "sendToDevice/m.copy.test/txn-1", token: alice.token,
                                         json: ["messages": [bob.userID: [bob.deviceID: ["unread": true]]]])
        try #require(sent.status == 200)
        let aliceCounts = try await Self.counts(before, alice)
        let bobCounts = try await Self.counts(before, bob)
        #expect(aliceCounts == ["signed_curve25519": 4])
        await Self.stop(sqlite)

        // 2. the copy, then a re-run that copies nothing
        let copy = try await CommandRun.run(ServeProcess.binary.path, [
            "store", "copy", "--from", "sqlite:\(dataDir)/keymesh.sqlite", "--to", database.description,
        ], environment: environment, timeout: 120)
        #expect(copy.status == 0, "\(copy.output)\(copy.errors)")
        let table = Self.table(copy.output)
        #expect(table["users"] == [2, 2], "\(copy.output)")
        #expect(table["one_time_keys"] == [7, 7], "\(copy.output)")  // alice 4, bob 3
        #expect(table["claimed_one_time_keys"] == [1, 1])
        #expect(table["to_device_inbox"] == [1, 1])
        #expect(copy.output.contains("verified: "), "\(copy.output)")
        let again = try await CommandRun.run(ServeProcess.binary.path, [
            "store", "copy", "--from", "sqlite:\(dataDir)/keymesh.sqlite", "--to", database.description,
        ], environment: environment, timeout: 120)
        #expect(again.status == 0, "\(again.output)\(again.errors)")
        #expect(again.output.contains("verified: 0 rows copied"), "\(again.output)")
        #expect(Self.table(again.output) == table)
        // a password inside --to is refused before anything is opened
        let leaky = try await CommandRun.run(ServeProcess.binary.path, [
            "store", "copy", "--from", "sqlite:\(dataDir)/keymesh.sqlite",
            "--to", "postgres://\(database.user):secret@\(database.host):\(database.port)/\(database.database)",
        ], environment: environment, timeout: 60)
        #expect(leaky.status != 0)
        #expect(leaky.errors.contains("process list"), "\(leaky.errors)")

        // 3. the same clients against PostgreSQL
        let pgPort = ServeProcess.freePort()
        let pgDir = ServeProcess.temporaryDataDir()
        defer { try? FileManager.default.removeItem(atPath: pgDir) }
        let postgres = try await Self.start(Self.serveArguments(port: pgPort, dataDir: pgDir) + ["--database", database.description],
                                            environment: environment)
        defer { postgres.terminate() }
        let after = HTTPClient(port: pgPort)
        for user in [alice, bob] {
            let whoami = try await after.call("GET", "account/whoami", token: user.token)
            #expect(whoami.body["user_id"] == .string(user.userID), "\(whoami.body)")
            #expect(whoami.body["device_id"] == .string(user.deviceID))
        }
        #expect(try await Self.counts(after, alice) == aliceCounts)
        #expect(try await Self.counts(after, bob) == bobCounts)
        let sync = try await after.call("GET", "sync", token: bob.token)
        let events = sync.body["to_device"]?.objectValue?["events"]?.arrayValue ?? []
        #expect(events.count == 1, "\(sync.body)")
        #expect(events.first?.objectValue?["type"] == "m.copy.test")
        #expect(events.first?.objectValue?["content"] == ["unread": true])
        // claims continue: alice's 4 other keys, each once, never the one claimed on SQLite
        var claimed: [String] = []
        for _ in 0..<5 { if let id = try await Self.claim(after, by: bob, of: alice) { claimed.append(id) } }
        #expect(claimed.count == 4, "\(claimed)")
        #expect(Set(claimed).count == 4)
        #expect(!claimed.contains(firstClaim))
        // and a new account on PostgreSQL works beside the copied ones
        let carol = try await after.register("carol")
        #expect(try await after.call("GET", "account/whoami", token: carol.token).status == 200)
        await Self.stop(postgres)
    }

    /// `table source target` lines of the copy's output, by table.
    static func table(_ output: String) -> [String: [Int]] {
        var rows: [String: [Int]] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let source = Int(fields[1]), let target = Int(fields[2]) else { continue }
            rows[String(fields[0])] = [source, target]
        }
        return rows
    }

    /// The device's one-time key counts (an empty `/keys/upload`).
    static func counts(_ http: HTTPClient, _ user: TestUser) async throws -> [String: Int64] {
        let reply = try await http.call("POST", "keys/upload", token: user.token, json: [:])
        try #require(reply.status == 200, "\(reply.body)")
        var counts: [String: Int64] = [:]
        for (algorithm, count) in reply.body["one_time_key_counts"]?.objectValue ?? [:] {
            if case .int(let value) = count { counts[algorithm] = value }
        }
        return counts
    }

    /// One claim of `owner`'s signed_curve25519 key by `claimer`: the key id, or nil if none.
    static func claim(_ http: HTTPClient, by claimer: TestUser, of owner: TestUser) async throws -> String? {
        let reply = try await http.call("POST", "keys/claim", token: claimer.token, json: [
            "one_time_keys": [owner.userID: [owner.deviceID: "signed_curve25519"]],
        ])
        try #require(reply.status == 200, "\(reply.body)")
        return reply.body["one_time_keys"]?.objectValue?[owner.userID]?.objectValue?[owner.deviceID]?.objectValue?.keys.first
    }

    /// Launches `keymesh serve` with `arguments` and waits until `/versions` answers.
    static func start(_ arguments: [String], environment: [String: String]) async throws -> Process {
        let process = try ServeProcess.launch(arguments, environment: environment)
        guard let port = arguments.firstIndex(of: "--port").flatMap({ Int(arguments[$0 + 1]) }),
              try await ServeProcess.versionsStatus(port: port) == 200 else {
            process.terminate()
            throw ServeProcessError.didNotStart
        }
        return process
    }

    /// SIGTERM, then polls (never waits on the cooperative pool) for up to 30 s.
    static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning)
    }
}
