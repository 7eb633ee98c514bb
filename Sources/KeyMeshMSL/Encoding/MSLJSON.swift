// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// MSL's JSON: KeyMesh's strict parser within the limits of docs/MSL.md §12, integers up to
/// `2^53` inclusive (§1), NUL refused in every string and member name (§1); compact writer.
public enum MSLJSON {
    /// `2^53`, MSL's largest integer (docs/MSL.md §1).
    public static let maxInteger: Int64 = 9_007_199_254_740_992

    /// docs/MSL.md §12: 64 KiB per document, depth 16, strings 8 KiB.
    public static let limits = JSONParser.Limits(
        maxDepth: 16, maxMembers: 256, maxElements: 256, maxStringBytes: 8 << 10, maxInputBytes: 64 << 10,
        maxInteger: maxInteger)

    /// Any 64-bit integer: what a reader takes before checking a range itself, so that a token's
    /// `2^53 + 1` is reported as out of range rather than as unparseable (docs/MSL.md §1, §6).
    static let wideInteger: Int64 = .max

    /// Parses one MSL JSON document.
    /// - Throws: `error` (default `MSL_PARSE_ERROR`) for anything the parser or §1 refuses.
    public static func parse(_ bytes: some Collection<UInt8>, error: MSLErrorCode = .mslParseError) throws(MSLError) -> JSONValue {
        try parse(bytes, error: error, maxInteger: maxInteger)
    }

    /// Parses with integers up to `maxInteger` in magnitude (the caller checks ranges).
    static func parse(_ bytes: some Collection<UInt8>, error: MSLErrorCode, maxInteger: Int64) throws(MSLError) -> JSONValue {
        var limits = limits
        limits.maxInteger = maxInteger
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, limits: limits)
        } catch let parseError {
            throw MSLError(error, "not MSL JSON: \(parseError)")
        }
        guard !containsNUL(value) else { throw MSLError(error, "NUL in a string") }
        return value
    }

    /// Parses one MSL JSON document that must be an object.
    public static func parseObject(_ bytes: some Collection<UInt8>, error: MSLErrorCode = .mslParseError) throws(MSLError) -> JSONObject {
        guard let object = try parse(bytes, error: error).objectValue else { throw MSLError(error, "not a JSON object") }
        return object
    }

    /// Compact JSON of `value` (members sorted; order carries no meaning, §1).
    ///
    /// Integers must lie within ±2^53 (everything KeyMesh writes does); a value holding a larger
    /// one has no MSL encoding and yields an empty array, which no reader accepts.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        (try? CanonicalJSON.encode(value, maxInteger: maxInteger)) ?? []
    }

    /// `encode` as a string.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    private static func containsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool, .int: false
        case .string(let s): s.utf8.contains(0)
        case .array(let items): items.contains { containsNUL($0) }
        case .object(let object): object.contains { entry in entry.key.utf8.contains(0) || containsNUL(entry.value) }
        }
    }
}
