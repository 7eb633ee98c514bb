// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStorePostgres
import KeyMeshTestSupport
import Logging
import Testing

/// `keymesh bench store --postgres` runs (docs/PERFORMANCE.md "Claim cost against stored
/// keys"): both backends are seeded, measured and reported, and the databases the benchmark
/// made are gone afterwards. How fast is never checked here.
@Suite("keymesh bench store on SQLite and PostgreSQL runs", .serialized)
struct StoreBenchRunsTests {
    static let logger = Logger(label: "keymesh.test.bench-store")

    @Test("tiny sizes, two rounds: a row per backend and size, PostgreSQL against SQLite, databases dropped",
          .timeLimit(.minutes(3)))
    func runs() async throws {
        switch PostgresTestDatabase.availability {
        case .available: break
        case .skip(let why):
            Self.logger.warning("SKIPPING keymesh bench store on PostgreSQL: \(why)")
            return
        case .fail(let why): Issue.record(Comment(rawValue: why)); return
        }
        let database = try await PostgresTestDatabase.create()
        var environment = ["KEYMESH_DATABASE": ""]
        if let password = database.password { environment["KEYMESH_DATABASE_PASSWORD"] = password }
        let dir = ServeProcess.temporaryDataDir()
        let run = try await CommandRun.run(ServeProcess.binary.path, [
            "bench", "store", "--sizes", "30,60", "--claims", "10", "--rounds", "2", "--dir", dir,
            "--postgres", database.description,
        ], environment: environment, timeout: 120)
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        let lines = run.output.split(separator: "\n").map(String.init)
        for backend in ["sqlite:", "postgres:"] { #expect(lines.contains(backend), "\(run.output)") }
        let rows = lines.filter { $0.contains("stored keys") }
        #expect(rows.count == 4, "\(run.output)")
        #expect(rows.filter { $0.contains("vs sqlite:") }.count == 2, "\(run.output)")
        #expect(!run.output.contains(database.password ?? "\u{0}"))
        #expect(!FileManager.default.fileExists(atPath: dir))
        // the per-size databases were dropped: making them again succeeds
        let cluster = PostgresLocation(host: database.host, port: database.port, user: database.user,
                                       database: database.database, password: database.password, tls: .disable)
        for size in [30, 60] {
            try await PostgresDatabaseAdmin.create("keymesh_bench_claims_\(size)", at: cluster)
            try await PostgresDatabaseAdmin.drop("keymesh_bench_claims_\(size)", at: cluster)
        }
        try? await database.drop()
    }

    @Test("database names the admin helper refuses: a statement cannot be smuggled in")
    func refusedNames() async throws {
        let cluster = PostgresLocation(host: "127.0.0.1", port: 1, user: "nobody", database: "postgres", tls: .disable)
        for name in ["", "1abc", "a b", "a;DROP DATABASE keymesh", "ä", String(repeating: "a", count: 64), "a\u{0}"] {
            await #expect(throws: PostgresLocationError.self) { try await PostgresDatabaseAdmin.create(name, at: cluster) }
        }
    }
}
