// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import PostgresNIO

/// The statements of a copy into PostgreSQL (docs/STORE.md "Moving from SQLite to PostgreSQL").
/// Table and column names come from ``StoreTable/all`` only, never from the source's data.
enum PostgresImportStatements {
    /// Writes one page; rows whose key the target holds already are left alone. Returns how
    /// many rows were written and, when `compare`, how many the target held already with the
    /// same values in every column (the rest of the page conflicts with other data).
    static func insert(_ table: StoreTable, _ rows: [StoreRow], compare: Bool,
                       connection: PostgresConnection, logger: Logger) async throws -> (copied: Int, present: Int) {
        var binds = PostgresBindings(capacity: table.columns.count)
        var casts: [String] = []
        for index in table.columns.indices {
            let array = PostgresColumnArray(table: table, column: index, rows: rows)
            try binds.append(array)
            casts.append("$\(index + 1)::\(array.sqlType)")
        }
        let columns = table.columnNames.map { "\"\($0)\"" }.joined(separator: ", ")
        let source = "s (\(columns)) AS (SELECT * FROM unnest(\(casts.joined(separator: ", "))))"
        // a table without a primary key has no conflict to detect: an identical row counts as there
        let insert = table.primaryKey.isEmpty
            ? "INSERT INTO \"\(table.name)\" (\(columns)) SELECT \(columns) FROM s WHERE NOT EXISTS (\(sameRow(table)))"
            : "INSERT INTO \"\(table.name)\" (\(columns)) SELECT \(columns) FROM s ON CONFLICT DO NOTHING"
        // the EXISTS of the last SELECT sees the table as it was before this statement (one
        // snapshot per statement), so it counts rows that were there already, not this page's
        let present = compare ? "(SELECT count(*) FROM s WHERE EXISTS (\(sameRow(table))))" : "0::bigint"
        let sql = "WITH \(source), ins AS (\(insert) RETURNING 1) SELECT (SELECT count(*) FROM ins), \(present)"
        let result = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        for try await (copied, present) in result.decode((Int64, Int64).self) { return (Int(copied), Int(present)) }
        return (0, 0)
    }

    /// `SELECT 1 FROM table t WHERE` every column of `t` equals that of the page row `s`:
    /// identifying columns with `=` (NOT NULL, and the index is used), others NULL-safe.
    private static func sameRow(_ table: StoreTable) -> String {
        let identifying = table.identifyingColumns
        let conditions = table.columns.map { column in
            let name = "\"\(column.name)\""
            return identifying.contains(column.name) ? "t.\(name) = s.\(name)" : "t.\(name) IS NOT DISTINCT FROM s.\(name)"
        }
        return "SELECT 1 FROM \"\(table.name)\" t WHERE \(conditions.joined(separator: " AND "))"
    }

    /// Sets a one-row position table to `position` unless it is past it already.
    static func raise(_ table: String, to position: Int64, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: """
            UPDATE "\(table)" SET position = GREATEST(position, $1) WHERE only_row = 0
            """, binds: bindings(position)), logger: logger)
    }

    /// Moves the table's `seq` identity generator past the largest `seq` it holds (never
    /// back), so a row written after the copy sorts after every copied row.
    static func movePastMaximum(_ table: StoreTable, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT setval(x.generator, GREATEST(x.highest, COALESCE(pg_sequence_last_value(x.generator), 0)))
            FROM (SELECT pg_get_serial_sequence('"\(table.name)"', 'seq')::regclass AS generator,
                         (SELECT max(seq) FROM "\(table.name)") AS highest) x
            WHERE x.highest IS NOT NULL
            """), logger: logger)
    }

    private static func bindings(_ value: Int64) -> PostgresBindings {
        var binds = PostgresBindings(capacity: 1)
        binds.append(value)
        return binds
    }
}
