// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Logging
import PostgresNIO

/// `keymesh store copy` into PostgreSQL (docs/STORE.md "Moving from SQLite to PostgreSQL").
extension PostgresStore {
    /// Copies every row of `source` into this database in ONE transaction, then verifies it
    /// there: committed only if afterwards every table holds exactly the source's rows, else
    /// rolled back (nothing written) and the report says why.
    ///
    /// - Rows are written a page at a time (`INSERT … SELECT FROM unnest(…)`, one array per
    ///   column) with `ON CONFLICT DO NOTHING`: a row the target already holds, identical, is
    ///   left alone, so a second run copies nothing and verifies again.
    /// - The target may hold nothing the source does not explain: a row under a source key with
    ///   other values, a row the source lacks, or a stream position or device-list horizon past
    ///   the source's (the target was written to since, say by a server) refuses the copy.
    /// - Every table is locked against writers (`SHARE ROW EXCLUSIVE`) for the copy, so a
    ///   server wrongly started on the target waits rather than interleaves.
    /// - Afterwards the `seq` generators are moved past the copied maximum and the stream
    ///   position is the larger of the two, so new writes never reuse an order or position.
    /// - Throws: the source's errors, ``StoreCopyError``, or a PostgreSQL error; each rolls back.
    public func importRows(from source: any StoreRowSource,
                           pageSize: Int = StoreCopyLimits.defaultPageSize) async throws -> StoreCopyReport {
        guard (1...StoreCopyLimits.maxPageSize).contains(pageSize) else { throw StoreCopyError.pageSize(pageSize) }
        let logger = self.logger
        do {
            return try await write { connection in
                try await Self.lockTables(connection, logger: logger)
                var copy = PostgresImport(connection: connection, logger: logger)
                try await copy.begin()
                try await source.exportRows(pageSize: pageSize) { table, rows in try await copy.add(table, rows) }
                let report = try await copy.finish()
                guard report.isVerified else { throw Refused(report: report) }
                return report
            }
        } catch let refused as Refused {
            return refused.report
        }
    }

    /// Carries a refused copy's report out of the transaction, which throwing rolls back.
    private struct Refused: Error {
        let report: StoreCopyReport
    }

    private static func lockTables(_ connection: PostgresConnection, logger: Logger) async throws {
        // a server holding a long transaction on the target must not stall the copy forever
        try await connection.query("SET LOCAL lock_timeout = '30s'", logger: logger)
        let names = StoreTable.all.map { "\"\($0.name)\"" }.joined(separator: ", ")
        try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(names) IN SHARE ROW EXCLUSIVE MODE"), logger: logger)
    }
}

/// One copy's state inside its transaction: tables in ``StoreTable/all`` order, counts so far.
struct PostgresImport {
    let connection: PostgresConnection
    let logger: Logger
    private var report = StoreCopyReport(tables: StoreTable.all.map { StoreCopyReport.TableCount(table: $0.name) })
    private var current = 0
    /// Whether the current table held no row when its first page came: then no row of the
    /// source can already be there, and the per-row comparison is skipped.
    private var wasEmpty = false
    private var singletons: [String: Int64] = [:]
    private var targetSingletons: [String: Int64] = [:]
    /// The largest position any copied row holds.
    private var rowPosition: Int64 = 0

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    mutating func begin() async throws {
        try await checkSchema()
        for table in StoreTable.all where table.isSingleton {
            targetSingletons[table.name] = try await position(table)
        }
        report.targetPositionBefore = targetSingletons["stream_position"] ?? 0
        wasEmpty = try await isEmpty(StoreTable.all[0])
    }

    mutating func add(_ table: StoreTable, _ rows: [StoreRow]) async throws {
        guard let index = StoreTable.all.firstIndex(of: table), index >= current else {
            throw StoreCopyError.unexpectedTable(table.name)
        }
        if index != current {
            current = index
            if !table.isSingleton { wasEmpty = try await isEmpty(table) }
        }
        report.tables[index].source += rows.count
        if table.isSingleton {
            for case .int(let position) in rows.compactMap(\.first) { singletons[table.name] = max(singletons[table.name] ?? 0, position) }
            return
        }
        guard !rows.isEmpty else { return }
        if let column = table.columnNames.firstIndex(of: "position") {
            for case .int(let position) in rows.map({ $0[column] }) { rowPosition = max(rowPosition, position) }
        }
        let (copied, present) = try await PostgresImportStatements.insert(table, rows, compare: !wasEmpty,
                                                                           connection: connection, logger: logger)
        report.tables[index].copied += copied
        report.tables[index].present += present
        report.tables[index].differing += rows.count - copied - present
    }

    /// Moves positions and sequences, counts every table and names what does not match.
    mutating func finish() async throws -> StoreCopyReport {
        let sourcePosition = max(singletons["stream_position"] ?? 0, rowPosition)
        report.sourcePosition = sourcePosition
        if report.targetPositionBefore > sourcePosition {
            report.problems.append("""
                the target's stream position \(report.targetPositionBefore) is past the source's \(sourcePosition): \
                the target has been written to since (by a server on it?)
                """)
        }
        let sourceHorizon = singletons["device_list_horizon"] ?? 0
        if let horizon = targetSingletons["device_list_horizon"], horizon > sourceHorizon {
            report.problems.append("the target's device-list horizon \(horizon) is past the source's \(sourceHorizon)")
        }
        try await PostgresImportStatements.raise("stream_position", to: sourcePosition, connection: connection, logger: logger)
        try await PostgresImportStatements.raise("device_list_horizon", to: sourceHorizon, connection: connection, logger: logger)
        report.targetPosition = try await position(StoreTable.all.first { $0.name == "stream_position" })
        for (index, table) in StoreTable.all.enumerated() {
            if table.hasSequence {
                try await PostgresImportStatements.movePastMaximum(table, connection: connection, logger: logger)
            }
            report.tables[index].target = try await count(table)
            let line = report.tables[index]
            if line.differing > 0 {
                report.problems.append("\(line.differing) rows of \(table.name) are in the target under the same key with other values")
            } else if line.target != line.source {
                report.problems.append("\(line.target - line.source) rows of \(table.name) are in the target but not in the source")
            }
        }
        report.committed = report.isVerified
        return report
    }

    /// Refuses a database whose tables lack a column of ``StoreTable/all`` or have one more (a
    /// newer or older keymesh): a copy would fail midway or leave a column to its default.
    private func checkSchema() async throws {
        let rows = try await connection.query("""
            SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = current_schema()
            """, logger: logger)
        var columns: [String: Set<String>] = [:]
        for try await (table, column) in rows.decode((String, String).self) { columns[table, default: []].insert(column) }
        for table in StoreTable.all {
            let stored = columns[table.name] ?? []
            guard stored.subtracting(["only_row"]) == Set(table.columnNames) else {
                throw StoreCopyError.schema("the PostgreSQL table \(table.name) has other columns than the copy's")
            }
        }
    }

    private func position(_ table: StoreTable?) async throws -> Int64 {
        guard let table else { return 0 }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT position FROM \"\(table.name)\" WHERE only_row = 0"),
                                              logger: logger)
        for try await position in rows.decode(Int64.self) { return position }
        throw PostgresStoreError.corrupt("\(table.name) row missing")
    }

    private func count(_ table: StoreTable) async throws -> Int {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \"\(table.name)\""), logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    private func isEmpty(_ table: StoreTable) async throws -> Bool {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \"\(table.name)\" LIMIT 1"), logger: logger)
        for try await _ in rows { return false }
        return true
    }
}
