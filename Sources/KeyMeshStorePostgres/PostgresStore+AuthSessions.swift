// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import PostgresNIO

/// User-interactive-auth sessions and used admin-registration nonces, bounded as in the
/// embedded store (docs/SECURITY.md "Limits"): rows older than a day are swept by an index
/// seek on `created_ts` as new ones arrive, and at most ``maxAuthSessions`` rows are kept, the
/// oldest dropped first. `seq` stands in for SQLite's rowid: it grows with every insertion and
/// replacement. With several writers the bound may be passed by the sessions of transactions
/// in flight at that moment, never more; a dropped session only makes its client start again.
extension PostgresStore {
    /// The most auth sessions kept.
    public static let maxAuthSessions: Int64 = 100_000

    public func putAuthSession(_ session: AuthSession) async throws {
        try StoredText.check(naming: "session", session.id, session.purpose, session.userID)
        let logger = self.logger
        try await write { connection in
            // sessions older than a day are of no use to anyone: sweep them as new ones arrive
            try await connection.query("DELETE FROM auth_sessions WHERE created_ts < \(session.createdAt - 86_400)", logger: logger)
            // a replaced session counts as a new insertion (SQLite's INSERT OR REPLACE gives it a new rowid)
            try await connection.query("""
                INSERT INTO auth_sessions (session_id, purpose, user_id, created_ts)
                VALUES (\(session.id), \(session.purpose), \(session.userID), \(session.createdAt))
                ON CONFLICT (session_id) DO UPDATE
                SET purpose = EXCLUDED.purpose, user_id = EXCLUDED.user_id, created_ts = EXCLUDED.created_ts, seq = DEFAULT
                """, logger: logger)
            try await connection.query("""
                DELETE FROM auth_sessions WHERE seq <= (SELECT max(seq) FROM auth_sessions) - \(Self.maxAuthSessions)
                """, logger: logger)
        }
    }

    public func authSession(_ id: String) async throws -> AuthSession? {
        try StoredText.check(naming: "session id", id)
        let logger = self.logger
        return try await read { connection in
            let rows = try await connection.query("""
                SELECT purpose, user_id, created_ts FROM auth_sessions WHERE session_id = \(id)
                """, logger: logger)
            for try await (purpose, userID, createdAt) in rows.decode((String, String?, Int64).self) {
                return AuthSession(id: id, purpose: purpose, userID: userID, createdAt: createdAt)
            }
            return nil
        }
    }

    /// One statement, `DELETE … RETURNING`: of two instances consuming one session at once,
    /// the second waits for the first's row lock and then finds the row gone, so a session is
    /// consumed at most once.
    public func consumeAuthSession(_ id: String) async throws -> Bool {
        try StoredText.check(naming: "session id", id)
        let logger = self.logger
        return try await write { connection in
            let rows = try await connection.query("DELETE FROM auth_sessions WHERE session_id = \(id) RETURNING 1", logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }

    /// Rows in `auth_sessions` (tests).
    public func authSessionCount() async throws -> Int {
        let logger = self.logger
        return try await read { connection in
            for try await count in try await connection.query("SELECT count(*) FROM auth_sessions", logger: logger).decode(Int64.self) {
                return Int(count)
            }
            return 0
        }
    }
}
