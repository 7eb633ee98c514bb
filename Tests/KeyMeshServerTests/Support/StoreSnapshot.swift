// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB

/// Every row of every table of a server's SQLite file, read directly (not through the API), so
/// a refused request can be proved to have stored nothing: compare a snapshot taken before an
/// attack with one taken after (docs/SECURITY.md "Tests that attack").
///
/// Rows are rendered with a type tag per column (text, integer, real, blob as hex, null) and
/// sorted, so two snapshots are equal exactly when the stored bytes are.
struct StoreSnapshot: Equatable, Sendable {
    /// Table name to its rows, each rendered as one line, sorted.
    let tables: [String: [String]]

    /// Reads the database at `path` through a read-only connection of its own (the server keeps
    /// its connection open; WAL mode lets both read the same committed state).
    static func read(_ path: String) throws -> StoreSnapshot {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            var tables: [String: [String]] = [:]
            for name in names {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \"\(name)\"")
                tables[name] = rows.map(render).sorted()
            }
            return StoreSnapshot(tables: tables)
        }
    }

    /// The same snapshot without `names` (each exclusion is justified where it is asked for).
    func excluding(_ names: Set<String>) -> StoreSnapshot {
        StoreSnapshot(tables: tables.filter { !names.contains($0.key) })
    }

    /// Rows of `table`.
    func rows(_ table: String) -> [String] { tables[table] ?? [] }

    /// A short account of what differs from `other`: rows added and removed, per table.
    func difference(from other: StoreSnapshot) -> String {
        var lines: [String] = []
        for name in Set(tables.keys).union(other.tables.keys).sorted() {
            let mine = Set(rows(name)), theirs = Set(other.rows(name))
            let added = mine.subtracting(theirs).sorted(), removed = theirs.subtracting(mine).sorted()
            guard !added.isEmpty || !removed.isEmpty else { continue }
            lines.append("\(name): +\(added.count) -\(removed.count)")
            lines += added.prefix(3).map { "  + " + String($0.prefix(200)) }
            lines += removed.prefix(3).map { "  - " + String($0.prefix(200)) }
        }
        return lines.isEmpty ? "(no difference)" : lines.joined(separator: "\n")
    }

    private static func render(_ row: Row) -> String {
        row.columnNames.map { column -> String in
            let value: String
            switch row[column] as DatabaseValue? {
            case .none: value = "null"
            case .some(let dbValue):
                switch dbValue.storage {
                case .null: value = "null"
                case .int64(let int): value = "i:\(int)"
                case .double(let double): value = "r:\(double)"
                case .string(let text): value = "t:" + escaped(Array(text.utf8))
                case .blob(let data): value = "b:" + data.map { String(format: "%02x", $0) }.joined()
                }
            }
            return "\(column)=\(value)"
        }.joined(separator: " ")
    }

    /// Printable ASCII as itself, every other byte as `\xNN`: readable, and byte-exact.
    private static func escaped(_ bytes: [UInt8]) -> String {
        bytes.map { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: "\\") ? String(UnicodeScalar($0)) : String(format: "\\x%02x", $0) }
            .joined()
    }
}
