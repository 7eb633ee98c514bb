// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// Typed member access over an MSL object: every missing or mistyped member, and every bad
/// base64 value, is refused with the one error code chosen for this object (docs/MSL.md §2, §6,
/// §9: `MSL_PARSE_ERROR` for key request/response data, `MASTERTOKEN_TOKENDATA_PARSE_ERROR`
/// inside `tokendata`, …).
struct MSLObjectReader {
    let object: JSONObject
    let code: MSLErrorCode

    /// A reader over `value`, which must be an object (else `code`).
    init(_ value: JSONValue, code: MSLErrorCode) throws(MSLError) {
        guard let object = value.objectValue else { throw MSLError(code, "not a JSON object") }
        self.object = object
        self.code = code
    }

    /// A reader over the object in `bytes` (JSON within docs/MSL.md §12).
    init(bytes: some Collection<UInt8>, code: MSLErrorCode, maxInteger: Int64 = MSLJSON.maxInteger) throws(MSLError) {
        try self.init(MSLJSON.parse(bytes, error: code, maxInteger: maxInteger), code: code)
    }

    /// Whether a member named exactly `key` exists.
    func has(_ key: String) -> Bool { object.contains(key) }

    /// The member's value, which must exist.
    func value(_ key: String) throws(MSLError) -> JSONValue {
        guard let value = object[key] else { throw MSLError(code, "missing \(key)") }
        return value
    }

    func string(_ key: String) throws(MSLError) -> String {
        guard let s = try value(key).stringValue else { throw MSLError(code, "\(key) is not a string") }
        return s
    }

    /// The string, or nil when the member is absent (present but not a string is an error).
    func optionalString(_ key: String) throws(MSLError) -> String? {
        has(key) ? try string(key) : nil
    }

    func int(_ key: String) throws(MSLError) -> Int64 {
        guard let i = try value(key).intValue else { throw MSLError(code, "\(key) is not an integer") }
        return i
    }

    func object(_ key: String) throws(MSLError) -> JSONObject {
        guard let o = try value(key).objectValue else { throw MSLError(code, "\(key) is not an object") }
        return o
    }

    func optionalObject(_ key: String) throws(MSLError) -> JSONObject? {
        has(key) ? try object(key) : nil
    }

    /// Binary member: a padded base64 string (docs/MSL.md §1), at most `maxBytes` decoded.
    func binary(_ key: String, maxBytes: Int = Int.max) throws(MSLError) -> [UInt8] {
        let bytes = try MSLBase64.decode(try string(key), error: code)
        guard bytes.count <= maxBytes else { throw MSLError(code, "\(key) is too long") }
        return bytes
    }
}

extension String {
    /// Exact UTF-8 byte equality (docs/MSL.md §1), never Swift's canonical equivalence.
    func mslEquals(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }
}
