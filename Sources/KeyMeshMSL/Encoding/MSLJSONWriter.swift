// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// Writes one flat MSL JSON object member by member, byte for byte what ``MSLJSON/encode(_:)``
/// writes for the same object (compact, canonical strings), without building a `JSONValue` or
/// sorting: the caller gives member names in code-point order (docs/MSL.md §1 — order carries
/// no meaning, KeyMesh writes sorted). Used where a token is issued (docs/MSL.md §6), the
/// issuer's hot path (docs/PERFORMANCE.md "MSL").
struct MSLJSONWriter {
    private(set) var bytes: [UInt8]
    private var members = 0
    private var lastName: StaticString?

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// The finished object.
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    mutating func string(_ name: StaticString, _ value: String) {
        self.name(name)
        CanonicalJSON.appendString(value, to: &bytes)
    }

    /// An integer the caller has checked to lie within ±2^53 (docs/MSL.md §1).
    mutating func int(_ name: StaticString, _ value: Int64) {
        assert(value.magnitude <= MSLJSON.maxInteger.magnitude, "MSL integers lie within ±2^53")
        self.name(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// `value` as padded standard base64 (docs/MSL.md §1), which never needs escaping.
    mutating func base64(_ name: StaticString, _ value: [UInt8]) {
        self.name(name)
        bytes.append(UInt8(ascii: "\""))
        MSLBase64Alphabet.append(value, table: MSLBase64Alphabet.standard, pad: true, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Already encoded MSL JSON (a nested object).
    mutating func raw(_ name: StaticString, _ json: [UInt8]) {
        self.name(name)
        bytes.append(contentsOf: json)
    }

    private mutating func name(_ name: StaticString) {
        if let lastName {
            assert(Self.precedes(lastName, name), "member names must be written in code-point order")
        }
        lastName = name
        if members > 0 { bytes.append(UInt8(ascii: ",")) }
        members += 1
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private static func precedes(_ a: StaticString, _ b: StaticString) -> Bool {
        a.withUTF8Buffer { a in b.withUTF8Buffer { b in a.lexicographicallyPrecedes(b) } }
    }
}
