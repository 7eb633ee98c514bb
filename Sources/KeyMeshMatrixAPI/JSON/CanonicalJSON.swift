// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Matrix canonical JSON (docs/OLM.md "Canonical JSON decisions"; spec appendix "Canonical JSON").
///
/// No insignificant whitespace, object keys sorted by code point at every level, integers only,
/// and only `"`, `\` and U+0000–U+001F escaped (short forms for `\b \t \n \f \r`, else `\u00xx`
/// in lowercase hex). Everything else, `/` and non-ASCII included, is written as raw UTF-8.
public enum CanonicalJSON {
    /// Encodes `value` canonically.
    /// - Throws: ``CanonicalJSONError/integerOutOfRange(_:)`` for integers outside
    ///   `[-maxInteger, maxInteger]` (default the safe range; MSL passes `2^53`, docs/MSL.md §1).
    public static func encode(_ value: JSONValue, maxInteger: Int64 = JSONValue.maxSafeInteger) throws(CanonicalJSONError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try write(value, maxInteger: maxInteger, into: &out)
        return out
    }

    /// Encodes `value` canonically as a string.
    public static func string(_ value: JSONValue) throws(CanonicalJSONError) -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    private static func write(_ value: JSONValue, maxInteger: Int64, into out: inout [UInt8]) throws(CanonicalJSONError) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i):
            guard i >= -maxInteger, i <= maxInteger else {
                throw .integerOutOfRange(i)
            }
            out.append(contentsOf: String(i).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                try write(item, maxInteger: maxInteger, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (n, entry) in object.sortedEntries.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                writeString(entry.key, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(entry.value, maxInteger: maxInteger, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `s` as a canonical JSON string, quotes included (for writers that build a known
    /// object member by member, e.g. MSL's token writer, docs/MSL.md §6).
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        writeString(s, into: &out)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            // Runs of bytes that need no escape are appended whole.
            var runStart = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                writeEscape(byte, into: &out)
                runStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func writeEscape(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x08: out += [0x5C, UInt8(ascii: "b")]
        case 0x09: out += [0x5C, UInt8(ascii: "t")]
        case 0x0A: out += [0x5C, UInt8(ascii: "n")]
        case 0x0C: out += [0x5C, UInt8(ascii: "f")]
        case 0x0D: out += [0x5C, UInt8(ascii: "r")]
        default:
            out.append(contentsOf: "\\u00".utf8)
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
    }
}

/// Why a value has no canonical encoding.
public enum CanonicalJSONError: Error, Equatable, Sendable {
    /// An integer outside `[-(2^53)+1, 2^53-1]`.
    case integerOutOfRange(Int64)
}
