// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The stores' tables as one neutral list, so rows can move from one backend to another by
/// name (`keymesh store copy`, docs/STORE.md "Moving from SQLite to PostgreSQL"). It is the
/// embedded store's schema in its final state (v7-msl-lineages), which the PostgreSQL schema
/// mirrors by name; the differences are settled here once:
/// - booleans are ``StoreColumn/Kind/bool`` (0/1 in SQLite, BOOLEAN in PostgreSQL);
/// - a `seq` column is the order rows were written in: SQLite's rowid (an alias of `seq` where
///   the table has one; the plain rowid of `claimed_one_time_keys`, `access_tokens`,
///   `auth_sessions` and `device_list_changes`, whose rowid order is write order), PostgreSQL's
///   identity column;
/// - the one-row tables (`stream_position`, `device_list_horizon`) are ``StoreTable/isSingleton``:
///   only their `position` moves, and a copy keeps the larger of the two positions.
public struct StoreTable: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let columns: [StoreColumn]
    /// The primary key's columns; empty when the table has none (`device_list_changes`), in
    /// which case the whole row is what identifies it.
    public let primaryKey: [String]
    /// One row holding a position (the row's `only` / `only_row` key is not a column here).
    public let isSingleton: Bool

    public init(_ name: String, _ columns: [StoreColumn], primaryKey: [String], isSingleton: Bool = false) {
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.isSingleton = isSingleton
    }

    public var description: String { name }

    /// The column names, in row order.
    public var columnNames: [String] { columns.map(\.name) }

    /// Whether the table has an order column (`seq`) whose generator must move past the copied rows.
    public var hasSequence: Bool { columns.contains { $0.name == "seq" } }

    /// The columns that identify a row: the primary key, or every column.
    public var identifyingColumns: [String] { primaryKey.isEmpty ? columnNames : primaryKey }
}

/// One column of a ``StoreTable``.
public struct StoreColumn: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case int, text, blob, bool
    }

    public let name: String
    public let kind: Kind
    public let nullable: Bool

    public init(_ name: String, _ kind: Kind, nullable: Bool = false) {
        self.name = name
        self.kind = kind
        self.nullable = nullable
    }
}

/// One value of a row, in the column's ``StoreColumn/Kind``.
public enum StoreValue: Sendable, Hashable {
    case null
    case int(Int64)
    case text(String)
    case blob([UInt8])
    case bool(Bool)
}

/// One row: values in the order of the table's ``StoreTable/columns``.
public typealias StoreRow = [StoreValue]

extension StoreTable {
    private static func text(_ name: String, nullable: Bool = false) -> StoreColumn { StoreColumn(name, .text, nullable: nullable) }
    private static func int(_ name: String) -> StoreColumn { StoreColumn(name, .int) }

    /// Every table a store holds, in copy order (rows first, the one-row position tables last).
    public static let all: [StoreTable] = [
        StoreTable("users", [text("user_id"), text("password_hash"), int("created_ts")], primaryKey: ["user_id"]),
        StoreTable("devices", [text("user_id"), text("device_id"), text("display_name", nullable: true)],
                   primaryKey: ["user_id", "device_id"]),
        StoreTable("access_tokens", [text("token_hash"), text("user_id"), text("device_id"), int("seq")], primaryKey: ["token_hash"]),
        StoreTable("auth_sessions", [text("session_id"), text("purpose"), text("user_id", nullable: true), int("created_ts"),
                                       int("seq")],
                   primaryKey: ["session_id"]),
        StoreTable("device_keys", [text("user_id"), text("device_id"), text("key_json")], primaryKey: ["user_id", "device_id"]),
        StoreTable("one_time_keys", [int("seq"), text("user_id"), text("device_id"), text("algorithm"), text("key_id"),
                                     text("key_json"), text("key_identity")], primaryKey: ["seq"]),
        StoreTable("claimed_one_time_keys", [int("seq"), text("user_id"), text("device_id"), text("algorithm"), text("key_id"),
                                             text("key_identity")], primaryKey: ["user_id", "device_id", "algorithm", "key_id"]),
        StoreTable("fallback_keys", [text("user_id"), text("device_id"), text("algorithm"), text("key_id"), text("key_json"),
                                     text("key_identity"), StoreColumn("used", .bool)], primaryKey: ["user_id", "device_id", "algorithm"]),
        StoreTable("cross_signing_keys", [text("user_id"), text("usage"), text("key_json")], primaryKey: ["user_id", "usage"]),
        StoreTable("cross_signing_signatures", [text("signer"), text("key_id"), text("target_user"), text("target_id"),
                                                text("signature")], primaryKey: ["target_user", "target_id", "signer", "key_id"]),
        StoreTable("account_data", [text("user_id"), text("type"), text("content_json"), int("position")],
                   primaryKey: ["user_id", "type"]),
        StoreTable("to_device_inbox", [int("seq"), int("position"), text("user_id"), text("device_id"), text("sender"),
                                       text("type"), text("content_json")], primaryKey: ["seq"]),
        StoreTable("to_device_txns", [int("seq"), text("user_id"), text("device_id"), text("txn_id")], primaryKey: ["seq"]),
        StoreTable("device_list_changes", [int("seq"), int("position"), text("user_id"), StoreColumn("owner_only", .bool)],
                   primaryKey: ["seq"]),
        StoreTable("device_list_followers", [text("watcher"), text("target")], primaryKey: ["watcher", "target"]),
        StoreTable("key_claim_positions", [text("user_id"), text("device_id"), int("position")], primaryKey: ["user_id", "device_id"]),
        StoreTable("msl_lineages", [text("user_id"), text("device_id"), StoreColumn("identity", .blob), int("serial"),
                                    int("sequence"), int("expiration")], primaryKey: ["user_id", "device_id"]),
        StoreTable("stream_position", [int("position")], primaryKey: [], isSingleton: true),
        StoreTable("device_list_horizon", [int("position")], primaryKey: [], isSingleton: true),
    ]

    /// The table named `name`, if there is one.
    public static func named(_ name: String) -> StoreTable? { all.first { $0.name.utf8.elementsEqual(name.utf8) } }
}

/// A store whose every row can be read out, table by table, in pages (the source of
/// `keymesh store copy`).
public protocol StoreRowSource: Sendable {
    /// Calls `page` with the rows of every table of ``StoreTable/all``, in that order, at most
    /// `pageSize` rows a call, all read from one consistent snapshot; a table without rows gets
    /// one call with no rows. A one-row table gives its one row (its position).
    func exportRows(pageSize: Int, _ page: (StoreTable, [StoreRow]) async throws -> Void) async throws
}
