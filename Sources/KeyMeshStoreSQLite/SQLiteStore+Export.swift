// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshStore

/// The embedded store read out for `keymesh store copy` (docs/STORE.md "Moving from SQLite to
/// PostgreSQL"): every table of ``StoreTable/all`` from one snapshot, in pages by rowid.
extension SQLiteStore: StoreRowSource {
    public func exportRows(pageSize: Int, _ page: (StoreTable, [StoreRow]) async throws -> Void) async throws {
        guard (1...StoreCopyLimits.maxPageSize).contains(pageSize) else { throw StoreCopyError.pageSize(pageSize) }
        // one read transaction for the whole export: every page sees the same database, even
        // if a writer (which should be stopped) commits meanwhile
        let snapshot = try pool.makeSnapshot()
        defer { try? snapshot.close() }
        try await snapshot.read { db in try Self.checkSchema(db) }
        for table in StoreTable.all {
            if table.isSingleton {
                let rows = try await snapshot.read { db in try Self.singleton(db, table) }
                try await page(table, rows)
                continue
            }
            var after: Int64 = 0
            var first = true
            while true {
                let from = after
                let (rows, last) = try await snapshot.read { db in try Self.page(db, table, after: from, limit: pageSize) }
                if !rows.isEmpty || first { try await page(table, rows) }
                first = false
                guard let last, rows.count == pageSize else { break }
                after = last
            }
        }
    }

    /// Refuses a file whose tables or columns are not exactly ``StoreTable/all`` (a newer or
    /// older keymesh, or not a keymesh store): a column the copy does not know would be lost.
    /// `seq` may be missing (the rowid stands in) and the one-row tables have their `only` key.
    static func checkSchema(_ db: Database) throws {
        let names = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
              AND name <> 'grdb_migrations' ORDER BY name
            """)
        let expected = StoreTable.all.map(\.name)
        guard Set(names) == Set(expected) else {
            let odd = Set(names).symmetricDifference(expected).sorted().joined(separator: ", ")
            throw StoreCopyError.schema("the SQLite store's tables differ from the copy's: \(odd)")
        }
        for table in StoreTable.all {
            let stored = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\"\(table.name)\")").map { $0["name"] as String })
            let known = Set(table.columnNames)
            guard known.subtracting(stored).isSubset(of: ["seq"]), stored.subtracting(known).isSubset(of: ["only"]) else {
                throw StoreCopyError.schema("the SQLite table \(table.name) has other columns than the copy's")
            }
        }
    }

    /// `seq` is the rowid (an alias of the `seq` column, or the plain rowid of
    /// `claimed_one_time_keys`, whose rowid order is claim order).
    private static func selectList(_ table: StoreTable) -> String {
        table.columns.map { $0.name == "seq" ? "rowid" : "\"\($0.name)\"" }.joined(separator: ", ")
    }

    private static func page(_ db: Database, _ table: StoreTable, after: Int64, limit: Int) throws -> ([StoreRow], Int64?) {
        let sql = "SELECT rowid, \(selectList(table)) FROM \"\(table.name)\" WHERE rowid > ? ORDER BY rowid LIMIT ?"
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: [after, limit])
        var rows: [StoreRow] = []
        rows.reserveCapacity(limit)
        var last: Int64?
        while let row = try cursor.next() {
            last = row[0]
            var values: StoreRow = []
            values.reserveCapacity(table.columns.count)
            for (index, column) in table.columns.enumerated() {
                values.append(try value(row[index + 1], column, table))
            }
            rows.append(values)
        }
        return (rows, last)
    }

    private static func singleton(_ db: Database, _ table: StoreTable) throws -> [StoreRow] {
        let rows = try Row.fetchAll(db, sql: "SELECT \(selectList(table)) FROM \"\(table.name)\"")
        return try rows.map { row in try table.columns.enumerated().map { try value(row[$0.offset], $0.element, table) } }
    }

    /// The stored value as the column's kind; anything else (a type the schema never writes)
    /// is refused rather than guessed.
    private static func value(_ stored: DatabaseValue, _ column: StoreColumn, _ table: StoreTable) throws -> StoreValue {
        switch (stored.storage, column.kind) {
        case (.null, _) where column.nullable: return .null
        case (.int64(let value), .int): return .int(value)
        case (.int64(let value), .bool) where value == 0 || value == 1: return .bool(value == 1)
        case (.string(let value), .text): return .text(value)
        case (.blob(let value), .blob): return .blob([UInt8](value))
        default: throw StoreCopyError.unexpectedValue(table: table.name, column: column.name)
        }
    }
}
