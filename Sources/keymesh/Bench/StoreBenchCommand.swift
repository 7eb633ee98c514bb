// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshStore
import KeyMeshStorePostgres
import KeyMeshStoreSQLite

/// `keymesh bench store`: what one `/keys/claim` costs a store as the number of stored one-time
/// keys grows, on the embedded SQLite store and, with `--postgres`, on PostgreSQL in the same run.
/// One store per backend and size holds that many background keys (spread over 100 devices) plus
/// a target device; rounds claim from the target in every store in turn (interleaved, so machine
/// drift hits all alike) and re-stock it untimed. Reported: claims per second per store, each
/// store's per-round cost against the smallest SQLite store (1.00x = flat), and with PostgreSQL
/// its cost against SQLite at the same size.
struct StoreBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Claim cost of the stores from 1e3 to 1e6 stored one-time keys.")

    @Option(help: "Stored one-time keys per store, comma-separated.")
    var sizes = "1000,10000,100000,1000000"

    @Option(help: "Claims per store per round.")
    var claims = 2000

    @Option(help: "Rounds (interleaved across sizes and backends).")
    var rounds = 5

    @Option(help: "Folder for the SQLite benchmark databases (deleted afterwards).")
    var dir = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-bench-store").path

    @Option(help: "Also measure PostgreSQL: postgres://USER@HOST:PORT/DATABASE of a role with CREATEDB; one database keymesh_bench_claims_SIZE per size is made on that cluster and dropped afterwards. The password comes from KEYMESH_DATABASE, --database-password-file, KEYMESH_DATABASE_PASSWORD or PGPASSWORD.")
    var postgres: String?

    @Option(help: "File holding the PostgreSQL password (KEYMESH_DATABASE_PASSWORD_FILE).")
    var databasePasswordFile: String?

    @Flag(help: "Measure PostgreSQL only (needs --postgres).")
    var postgresOnly = false

    /// One store under measurement.
    struct Subject {
        let backend: String
        let size: Int
        let store: any ServerStore
        var label: String { "\(backend) \(size)" }
    }

    func run() async throws {
        let sizes = self.sizes.split(separator: ",").compactMap { Int($0) }
        guard !sizes.isEmpty, claims > 0, rounds > 0 else { throw ValidationError("need sizes, claims and rounds > 0") }
        guard postgres != nil || !postgresOnly else { throw ValidationError("--postgres-only needs --postgres") }
        let cluster = try postgresCluster()
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var subjects: [Subject] = []
        var closers: [@Sendable () async -> Void] = []
        do {
            for size in sizes {
                if !postgresOnly {
                    subjects.append(Subject(backend: "sqlite", size: size, store: try SQLiteStore(path: "\(dir)/claims-\(size).sqlite")))
                }
                if let cluster {
                    let name = "keymesh_bench_claims_\(size)"
                    try await PostgresDatabaseAdmin.drop(name, at: cluster)
                    try await PostgresDatabaseAdmin.create(name, at: cluster)
                    var location = cluster
                    location.database = name
                    let store = try await PostgresStore(location, maxConnections: 2)
                    closers.append {
                        await store.close()
                        try? await PostgresDatabaseAdmin.drop(name, at: cluster)
                    }
                    subjects.append(Subject(backend: "postgres", size: size, store: store))
                }
            }
            for subject in subjects { try await seed(subject) }
            let rates = try await measure(subjects)
            report(subjects, rates: rates)
        } catch {
            for close in closers { await close() }
            throw error
        }
        for close in closers { await close() }
    }

    /// The cluster named by `--postgres`, with its password, or nil.
    private func postgresCluster() throws -> PostgresLocation? {
        guard let postgres else { return nil }
        let environment = ProcessInfo.processInfo.environment
        guard case .postgres(let location) = try StoreLocation.resolve(flag: postgres, environment: environment,
                                                                       passwordFile: databasePasswordFile,
                                                                       defaultSQLitePath: "") else {
            throw ValidationError("--postgres takes a postgres:// URL")
        }
        return location
    }

    private func seed(_ subject: Subject) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let store = subject.store
        try await store.openDevice(Self.target, displayName: nil, tokenHash: "bench-target")
        let perDevice = max(subject.size / 100, 1)
        var made = 0
        var device = 0
        while made < subject.size {
            let count = min(perDevice, subject.size - made)
            let owner = DeviceRef(userID: "@u\(device):bench", deviceID: "D\(device)")
            // key writes are accepted only for an existing device (docs/STORE.md "Uploads")
            try await store.openDevice(owner, displayName: nil, tokenHash: "bench-\(device)")
            for chunk in stride(from: 0, to: count, by: 10_000) {
                let keys = (chunk..<min(chunk + 10_000, count)).map { Self.key("b\($0)") }
                try await store.addOneTimeKeys(owner, keys: keys)
            }
            made += count
            device += 1
        }
        print("seeded \(subject.label) keys in \(clock.now - start)")
    }

    /// Claims per second, per subject (by index), one entry per round.
    private func measure(_ subjects: [Subject]) async throws -> [[Double]] {
        var rates = Array(repeating: [Double](), count: subjects.count)
        var serial = 0
        for round in 0..<rounds {
            // alternate the order every round, so neither end of a round is always the same store
            let order = round.isMultiple(of: 2) ? Array(subjects.indices) : subjects.indices.reversed()
            for index in order {
                let store = subjects[index].store
                serial += 1
                let stock = (0..<claims).map { Self.key("r\(serial)-\($0)") }
                try await store.addOneTimeKeys(Self.target, keys: stock)
                let request = [ClaimRequest(device: Self.target, algorithm: "signed_curve25519")]
                let clock = ContinuousClock()
                let start = clock.now
                for _ in 0..<claims {
                    guard try await store.claim(request).first?.isFallback == false else {
                        throw ValidationError("target ran out of keys")
                    }
                }
                let elapsed = clock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                rates[index].append(Double(claims) / seconds)
            }
            print("round \(round + 1)/\(rounds) done")
        }
        return rates
    }

    private func report(_ subjects: [Subject], rates: [[Double]]) {
        print("\nsequential claims, \(claims) per store per round, \(rounds) rounds, medians of per-round figures")
        // cost ratio = baseline rate / rate, per round
        func cost(_ index: Int, against baseline: Int) -> String {
            zip(rates[index], rates[baseline]).map { $1 / $0 }.median.ratio
        }
        for backend in ["sqlite", "postgres"] {
            let mine = subjects.indices.filter { subjects[$0].backend == backend }
            guard let first = mine.first else { continue }
            print("\(backend):")
            for index in mine {
                let subject = subjects[index]
                let rate = rates[index].median
                var line = String(format: "  %9d stored keys  %8.0f claims/s  %7.1f µs/claim  cost vs %d: %@",
                                  subject.size, rate, 1e6 / rate, subjects[first].size, cost(index, against: first))
                if backend == "postgres",
                   let twin = subjects.indices.first(where: { subjects[$0].backend == "sqlite" && subjects[$0].size == subject.size }) {
                    line += "  vs sqlite: \(cost(index, against: twin))"
                }
                print(line)
            }
        }
    }

    static let target = DeviceRef(userID: "@target:bench", deviceID: "TARGET")

    static func key(_ id: String) -> StoredKeyObject {
        // The store never looks inside: a realistic size (~170 bytes) is what matters here.
        let json = #"{"key":"\#(String(repeating: "k", count: 43))","signatures":{"@target:bench":{"ed25519:TARGET":"\#(String(repeating: "s", count: 86))"}}}"#
        return StoredKeyObject(algorithm: "signed_curve25519", keyID: id, json: json, identity: id)
    }
}
