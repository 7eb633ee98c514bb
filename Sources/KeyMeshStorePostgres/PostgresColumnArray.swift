// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import NIOCore
import PostgresNIO

/// One column of a page of rows, bound as one PostgreSQL array (binary format, NULL elements
/// allowed), so a page is written by one `INSERT … SELECT FROM unnest(…)` with one bind per
/// column instead of one per value (docs/STORE.md "Moving from SQLite to PostgreSQL").
struct PostgresColumnArray: PostgresThrowingDynamicTypeEncodable {
    let table: StoreTable
    let column: Int
    let rows: [StoreRow]

    private var kind: StoreColumn.Kind { table.columns[column].kind }

    var psqlType: PostgresDataType {
        switch kind {
        case .int: .int8Array
        case .text: .textArray
        case .blob: .byteaArray
        case .bool: .boolArray
        }
    }

    var psqlFormat: PostgresFormat { .binary }

    /// The SQL type of the array, for the `unnest($n::type)` cast.
    var sqlType: String {
        switch kind {
        case .int: "bigint[]"
        case .text: "text[]"
        case .blob: "bytea[]"
        case .bool: "boolean[]"
        }
    }

    private var elementType: PostgresDataType {
        switch kind {
        case .int: .int8
        case .text: .text
        case .blob: .bytea
        case .bool: .bool
        }
    }

    /// PostgreSQL's binary array: dimensions, has-NULL flag, element type, then (length,
    /// lower bound) and each element as (byte count or -1 for NULL, bytes).
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer,
                                                  context: PostgresEncodingContext<JSONEncoder>) throws {
        let hasNull = rows.contains { $0[column] == .null }
        buffer.writeInteger(rows.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(hasNull ? 1 : 0, as: Int32.self)
        buffer.writeInteger(elementType.rawValue, as: UInt32.self)
        guard !rows.isEmpty else { return }
        buffer.writeInteger(Int32(rows.count), as: Int32.self)
        buffer.writeInteger(1, as: Int32.self)
        let described = table.columns[column]
        for row in rows {
            switch (row[column], described.kind) {
            case (.null, _) where described.nullable:
                buffer.writeInteger(-1, as: Int32.self)
            case (.int(let value), .int):
                buffer.writeInteger(8, as: Int32.self)
                buffer.writeInteger(value, as: Int64.self)
            case (.bool(let value), .bool):
                buffer.writeInteger(1, as: Int32.self)
                buffer.writeInteger(value ? 1 : 0, as: UInt8.self)
            case (.text(let value), .text):
                // NUL is refused, as every text this store binds (docs/SECURITY.md "Identifiers")
                _ = try PostgresStore.text(value)
                try Self.writeBytes(value.utf8, into: &buffer)
            case (.blob(let value), .blob):
                try Self.writeBytes(value, into: &buffer)
            default:
                throw StoreCopyError.unexpectedValue(table: table.name, column: described.name)
            }
        }
    }

    private static func writeBytes<Bytes: Collection<UInt8>>(_ bytes: Bytes, into buffer: inout ByteBuffer) throws {
        guard let count = Int32(exactly: bytes.count) else { throw StoreError.limitExceeded(what: "bytes in one value", limit: Int(Int32.max)) }
        buffer.writeInteger(count, as: Int32.self)
        buffer.writeBytes(bytes)
    }
}
