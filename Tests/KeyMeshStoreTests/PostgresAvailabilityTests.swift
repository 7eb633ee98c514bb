// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshTestSupport
import Testing

/// Whether the PostgreSQL half of the conformance suite runs (docs/TESTING.md): when
/// KEYMESH_TEST_POSTGRES is unset the PostgreSQL cases are left out of `StoreBackend.allCases`,
/// and this test is the visible trace of it (shown as skipped, with the reason); with CI=true
/// it fails instead.
@Suite("PostgreSQL test cluster")
struct PostgresAvailabilityTests {
    static var isSkipped: Bool {
        if case .skip = PostgresTestDatabase.availability { return true }
        return false
    }

    @Test("the PostgreSQL test cluster is reachable: a fresh database is created and dropped",
          .enabled(if: !isSkipped, "KEYMESH_TEST_POSTGRES is unset: every PostgreSQL conformance case is SKIPPED"))
    func available() async throws {
        if case .fail(let why) = PostgresTestDatabase.availability {
            Issue.record(Comment(rawValue: why))
            return
        }
        let database = try await PostgresTestDatabase.create()
        #expect(database.database.hasPrefix("keymesh_test_"))
        #expect(!database.description.contains(":\(database.password ?? "\u{1}")@"))
        try await database.drop()
    }

    @Test("unset is a loud skip locally and a failure with CI=true; a password in the URL is refused")
    func rule() {
        #expect(PostgresTestDatabase.availability(environment: [:]).isSkip)
        #expect(PostgresTestDatabase.availability(environment: ["CI": "false"]).isSkip)
        #expect(PostgresTestDatabase.availability(environment: ["CI": "true"]).isFail)
        #expect(PostgresTestDatabase.availability(environment: ["CI": "true", "KEYMESH_TEST_POSTGRES": ""]).isFail)
        #expect(PostgresTestDatabase.availability(environment: ["KEYMESH_TEST_POSTGRES": "postgres://u@h:5/db"]) == .available)
        #expect(PostgresTestDatabase.availability(environment: ["KEYMESH_TEST_POSTGRES": "postgres://u:secret@h/db"]).isFail)
        #expect(PostgresTestDatabase.availability(environment: ["KEYMESH_TEST_POSTGRES": "mysql://u@h/db"]).isFail)
        #expect(PostgresTestDatabase.availability(environment: ["KEYMESH_TEST_POSTGRES": "postgres://u@h/db?sslmode=bogus"]).isFail)
    }
}

extension PostgresTestDatabase.Availability {
    var isSkip: Bool {
        if case .skip = self { return true }
        return false
    }

    var isFail: Bool {
        if case .fail = self { return true }
        return false
    }
}
