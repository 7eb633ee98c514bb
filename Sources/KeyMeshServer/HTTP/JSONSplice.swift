// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// Builds response JSON around stored JSON without parsing it again. The store keeps signed
/// objects as canonical JSON text; `/keys/query`, `/keys/claim` and `/sync` return thousands of
/// them per second, and splicing the text in (instead of parsing and re-encoding it) is a
/// fifth of the server's CPU on `/keys/query`. Only text the server itself stored, after its own
/// strict parser accepted it, is spliced.
enum JSONSplice {
    /// `{"k1":v1,"k2":v2,…}` from already-encoded values, in the order given.
    static func object(_ members: [(key: String, value: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(members.reduce(2) { $0 + $1.key.utf8.count + $1.value.count + 4 })
        for (n, member) in members.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out += string(member.key)
            out.append(UInt8(ascii: ":"))
            out += member.value
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A JSON string literal.
    static func string(_ text: String) -> [UInt8] {
        (try? CanonicalJSON.encode(.string(text))) ?? Array("\"\"".utf8)  // strings always encode
    }

    /// A JSON value the server built itself.
    static func value(_ value: JSONValue) -> [UInt8] {
        (try? CanonicalJSON.encode(value)) ?? Array("null".utf8)  // built from safe integers only
    }

    /// A stored object (canonical JSON text, never empty) with one more member at the end.
    /// The result is valid JSON but no longer canonical, which responses need not be.
    static func appending(to object: String, key: String, value: [UInt8]) -> [UInt8] {
        var out = Array(object.utf8)
        guard out.count >= 2, out.last == UInt8(ascii: "}") else { return out }
        out.removeLast()
        if out.count > 1 { out.append(UInt8(ascii: ",")) }
        out += string(key)
        out.append(UInt8(ascii: ":"))
        out += value
        out.append(UInt8(ascii: "}"))
        return out
    }
}
