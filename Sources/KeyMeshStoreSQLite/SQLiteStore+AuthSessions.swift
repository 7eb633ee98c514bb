// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshStore

/// User-interactive-auth sessions and used admin-registration nonces. An unauthenticated
/// `POST /register` creates one (the UIA challenge), so the table is bounded twice over: rows
/// older than a day are swept by an index seek on `created_ts` (the `v4-events-hardening` index), and at most
/// ``maxAuthSessions`` rows are kept, the oldest dropped first (docs/SECURITY.md "Limits"). A
/// dropped session only makes its client start the flow again.
extension SQLiteStore {
    /// The most auth sessions kept.
    public static let maxAuthSessions: Int64 = 100_000

    public func putAuthSession(_ session: AuthSession) async throws {
        try StoredText.check(naming: "session", session.id, session.purpose, session.userID)
        try await commits.write { db in
            // sessions older than a day are of no use to anyone: sweep them as new ones arrive
            try db.cachedStatement(sql: "DELETE FROM auth_sessions WHERE created_ts < ?")
                .execute(arguments: [session.createdAt - 86_400])
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO auth_sessions (session_id, purpose, user_id, created_ts) VALUES (?, ?, ?, ?)")
                .execute(arguments: [session.id, session.purpose, session.userID, session.createdAt])
            // A new row's rowid is the largest plus one, so rowids count insertions: the rows at
            // least `maxAuthSessions` insertions old go, a range delete on the table's own b-tree.
            try db.cachedStatement(sql: "DELETE FROM auth_sessions WHERE rowid <= (SELECT max(rowid) FROM auth_sessions) - ?")
                .execute(arguments: [Self.maxAuthSessions])
        }
    }

    public func authSession(_ id: String) async throws -> AuthSession? {
        try StoredText.check(naming: "session id", id)
        return try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT purpose, user_id, created_ts FROM auth_sessions WHERE session_id = ?"),
                             arguments: [id])
                .map { AuthSession(id: id, purpose: $0["purpose"], userID: $0["user_id"], createdAt: $0["created_ts"]) }
        }
    }

    public func consumeAuthSession(_ id: String) async throws -> Bool {
        try StoredText.check(naming: "session id", id)
        return try await commits.write { db in
            try db.cachedStatement(sql: "DELETE FROM auth_sessions WHERE session_id = ?").execute(arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Rows in `auth_sessions` (tests).
    public func authSessionCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM auth_sessions") ?? 0 }
    }
}
