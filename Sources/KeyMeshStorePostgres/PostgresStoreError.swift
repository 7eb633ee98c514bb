// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// What only the PostgreSQL store can go wrong with (the refusals every store shares are
/// `StoreError`): the server answers these with a 500 and keeps running.
public enum PostgresStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A row the schema guarantees is missing, or a stored value is not what the schema allows.
    case corrupt(String)
    /// The database's schema is newer than this program knows (a newer `keymesh` migrated it).
    case schemaTooNew(found: Int, known: Int)

    public var description: String {
        switch self {
        case .corrupt(let what): "PostgreSQL store corrupt: \(what)"
        case .schemaTooNew(let found, let known): "PostgreSQL schema version \(found) is newer than this keymesh knows (\(known))"
        }
    }
}
