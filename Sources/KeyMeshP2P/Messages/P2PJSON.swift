// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// JSON parsing and size checks with the limits of docs/P2P.md §4 (64 KiB, depth 16).
enum P2PJSON {
    /// Parses `bytes` as one JSON object within the message limits.
    static func parseObject(_ bytes: [UInt8], what: String) throws(P2PError) -> JSONObject {
        guard bytes.count <= P2PProtocol.maxMessageBytes else { throw .tooLarge }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes, limits: P2PProtocol.jsonLimits) } catch {
            switch error {
            case .inputTooLarge, .stringTooLong: throw .tooLarge
            case .tooDeep: throw .malformed("\(what) is nested deeper than \(P2PProtocol.maxDepth)")
            default: throw .malformed("\(what) is not valid JSON")
            }
        }
        guard let object = value.objectValue else { throw .malformed("\(what) is not a JSON object") }
        return object
    }

    /// Refuses an already-parsed object deeper than 16 or larger than 64 KiB as canonical JSON.
    static func checkLimits(_ object: JSONObject) throws(P2PError) {
        guard depth(of: .object(object), limit: P2PProtocol.maxDepth) <= P2PProtocol.maxDepth else {
            throw .malformed("message is nested deeper than \(P2PProtocol.maxDepth)")
        }
        guard let encoded = try? CanonicalJSON.encode(.object(object)) else {
            throw .malformed("message holds an integer outside the canonical range")
        }
        guard encoded.count <= P2PProtocol.maxMessageBytes else { throw .tooLarge }
    }

    /// The nesting depth of `value` (scalars 0, a flat object 1), stopping once past `limit`.
    private static func depth(of value: JSONValue, limit: Int) -> Int {
        guard limit >= 0 else { return 1 }
        switch value {
        case .object(let object):
            var deepest = 0
            for entry in object {
                deepest = max(deepest, depth(of: entry.value, limit: limit - 1))
                if deepest > limit { break }
            }
            return deepest + 1
        case .array(let items):
            var deepest = 0
            for item in items {
                deepest = max(deepest, depth(of: item, limit: limit - 1))
                if deepest > limit { break }
            }
            return deepest + 1
        case .null, .bool, .int, .string: return 0
        }
    }

    /// Canonical JSON of `object` (the plaintext of an encrypted body, docs/P2P.md §6).
    static func encode(_ object: JSONObject) throws(P2PError) -> [UInt8] {
        do { return try CanonicalJSON.encode(.object(object)) } catch {
            throw .malformed("body holds an integer outside the canonical range")
        }
    }
}
