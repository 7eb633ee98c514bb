// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshMSL

/// One row of the hostile field tables: a structure, a field, what was done to it, the code
/// docs/MSL.md gives for that (nil: accepted), and the call that reads it.
struct MSLFieldRow: CustomTestStringConvertible, Sendable {
    let structure: String
    let field: String
    let change: String
    let expected: MSLErrorCode?
    let read: @Sendable () throws(MSLError) -> Void

    var testDescription: String { "\(structure).\(field) \(change) → \(expected?.name ?? "accepted")" }
}

/// Builders for the tables: a JSON value with one member set or removed at a path, and raw JSON
/// text spliced in where JSONValue cannot carry it (2^53 + 1, fractions, deep nesting).
enum MSLFieldEdit {
    static let marker = "@@FIELD@@"

    /// `value` with the member at `path` set to `new` (nil removes it).
    static func set(_ value: JSONValue, _ path: [String], _ new: JSONValue?) -> JSONValue {
        guard let key = path.first, var object = value.objectValue else { return new ?? .null }
        if path.count == 1 {
            object[key] = new
        } else {
            object[key] = set(object[key] ?? [:], Array(path.dropFirst()), new)
        }
        return .object(object)
    }

    /// The bytes of `value` with the member at `path` written as raw JSON `text`.
    static func splice(_ value: JSONValue, _ path: [String], _ text: String) -> [UInt8] {
        let encoded = String(decoding: MSLJSON.encode(set(value, path, .string(marker))), as: UTF8.self)
        return Array(encoded.replacingOccurrences(of: "\"\(marker)\"", with: text).utf8)
    }

    /// A base64 string of `count` bytes of `byte`.
    static func b64(_ count: Int, _ byte: UInt8 = 1) -> JSONValue { .string(MSLBase64.encode([UInt8](repeating: byte, count: count))) }

    /// A string of `count` ASCII letters (past 8 KiB is over the §12 limit).
    static func long(_ count: Int) -> JSONValue { .string(String(repeating: "A", count: count)) }

    static let deep = String(repeating: "[", count: 17) + String(repeating: "]", count: 17)
}
