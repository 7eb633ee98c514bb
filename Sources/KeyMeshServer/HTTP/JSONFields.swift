// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// Typed reads of request members: a missing required member is 400 `M_MISSING_PARAM`, a
/// member of the wrong type 400 `M_BAD_JSON`; `path` names the member in the error text.
extension JSONObject {
    func string(_ key: String, at path: String = "") throws(MatrixError) -> String {
        guard let value = self[key] else { throw .missingParam("Missing \(path)\(key)") }
        guard let string = value.stringValue else { throw .badJSON("\(path)\(key) must be a string") }
        return string
    }

    func optionalString(_ key: String, at path: String = "") throws(MatrixError) -> String? {
        guard let value = self[key], value != .null else { return nil }
        guard let string = value.stringValue else { throw .badJSON("\(path)\(key) must be a string") }
        return string
    }

    func object(_ key: String, at path: String = "") throws(MatrixError) -> JSONObject {
        guard let value = self[key] else { throw .missingParam("Missing \(path)\(key)") }
        guard let object = value.objectValue else { throw .badJSON("\(path)\(key) must be an object") }
        return object
    }

    func optionalObject(_ key: String, at path: String = "") throws(MatrixError) -> JSONObject? {
        guard let value = self[key], value != .null else { return nil }
        guard let object = value.objectValue else { throw .badJSON("\(path)\(key) must be an object") }
        return object
    }

    func optionalBool(_ key: String, at path: String = "") throws(MatrixError) -> Bool? {
        guard let value = self[key], value != .null else { return nil }
        guard let bool = value.boolValue else { throw .badJSON("\(path)\(key) must be a boolean") }
        return bool
    }

    func optionalInt(_ key: String, at path: String = "") throws(MatrixError) -> Int64? {
        guard let value = self[key], value != .null else { return nil }
        guard let int = value.intValue else { throw .badJSON("\(path)\(key) must be an integer") }
        return int
    }

    /// Every member's value as an object (maps such as `{user: {device: …}}`).
    func objectMembers(at path: String) throws(MatrixError) -> [(key: String, value: JSONObject)] {
        var out: [(key: String, value: JSONObject)] = []
        for (key, value) in self {
            guard let object = value.objectValue else { throw .badJSON("\(path).\(key) must be an object") }
            out.append((key, object))
        }
        return out
    }
}
