// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// Sync filters (`POST`/`GET /user/{userId}/filter`, `/sync?filter=`), without a table.
///
/// A filter's id is the unpadded base64url of its canonical JSON, so the id *is* the filter:
/// uploading stores nothing, nothing grows, any server process can read any id, and an id
/// never starts with `{` (how the spec tells an id from an inline filter). A filter is at most
/// ``maxBytes`` of canonical JSON (docs/SECURITY.md "Limits"). KeyMesh has no rooms, so a
/// filter changes nothing in a `/sync` answer; it is still checked, so a client learns of a
/// malformed one as it would from Synapse (docs/SERVER.md "Filters").
enum Filter {
    /// The largest filter, in bytes of canonical JSON (8 KiB; Element's filters are ~200 bytes).
    static let maxBytes = 8192

    /// The id of `filter`, after checking it.
    /// - Throws: 400 `M_BAD_JSON` for a member of the wrong shape, 413 `M_TOO_LARGE` beyond ``maxBytes``.
    static func id(for filter: JSONObject) throws(MatrixError) -> String {
        try check(filter)
        guard let bytes = try? CanonicalJSON.encode(.object(filter)) else { throw .badJSON("Filter cannot be encoded") }
        guard bytes.count <= maxBytes else { throw tooLarge }
        return String(Base64.encode(bytes).map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    /// The filter an id names, or nil if `id` is not the id of a valid filter (only the exact
    /// id ``id(for:)`` gives decodes, so one filter has one id).
    static func filter(id: String) -> JSONObject? {
        // base64 of maxBytes is at most 4/3 as long: refuse longer text before decoding it
        guard !id.isEmpty, id.utf8.count <= (maxBytes + 2) / 3 * 4,
              id.utf8.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "=") }),
              let bytes = try? Base64.decode(String(id.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })),
              let filter = (try? JSONParser.parse(bytes))?.objectValue,
              (try? check(filter)) != nil,
              (try? CanonicalJSON.encode(.object(filter))) == bytes
        else { return nil }
        return filter
    }

    /// The filter `/sync`'s `filter` query parameter names: inline JSON (it starts with `{`)
    /// or a filter id. An empty parameter is no filter.
    /// - Throws: 400 `M_NOT_JSON` for inline text that is not JSON, `M_BAD_JSON` for JSON
    ///   that is not a filter object, `M_INVALID_PARAM` for an unknown id; 413 `M_TOO_LARGE`
    ///   for an inline filter over ``maxBytes``.
    static func resolve(_ parameter: String) throws(MatrixError) -> JSONObject {
        if parameter.isEmpty { return [:] }
        guard parameter.hasPrefix("{") else {
            guard let filter = filter(id: parameter) else { throw .invalidParam("No such filter") }
            return filter
        }
        guard parameter.utf8.count <= maxBytes else { throw tooLarge }
        let value: JSONValue
        do { value = try JSONParser.parse(parameter) } catch { throw .notJSON("Invalid filter JSON") }
        guard let filter = value.objectValue else { throw .badJSON("A filter must be a JSON object") }
        try check(filter)
        return filter
    }

    private static var tooLarge: MatrixError {
        MatrixError(.contentTooLarge, "M_TOO_LARGE", "Filter is larger than \(maxBytes) bytes")
    }

    /// Checks the members the spec defines (definitions/sync_filter.yaml); others are kept as
    /// they are, as the spec lets a filter carry them.
    static func check(_ filter: JSONObject) throws(MatrixError) {
        if let fields = filter["event_fields"] { try strings(fields, "event_fields") }
        if let format = filter["event_format"] {
            guard format == "client" || format == "federation" else {
                throw .badJSON("event_format must be \"client\" or \"federation\"")
            }
        }
        for name in ["presence", "account_data"] {
            if let value = filter[name] { try eventFilter(value, name) }
        }
        guard let room = filter["room"] else { return }
        guard let room = room.objectValue else { throw .badJSON("room must be an object") }
        for name in ["rooms", "not_rooms"] {
            if let value = room[name] { try strings(value, "room.\(name)") }
        }
        if let flag = room["include_leave"], flag.boolValue == nil { throw .badJSON("room.include_leave must be a boolean") }
        for name in ["account_data", "ephemeral", "state", "timeline"] {
            if let value = room[name] { try eventFilter(value, "room.\(name)") }
        }
    }

    /// An `EventFilter` or `RoomEventFilter`: arrays of strings, an integer `limit`, Booleans.
    private static func eventFilter(_ value: JSONValue, _ path: String) throws(MatrixError) {
        guard let object = value.objectValue else { throw .badJSON("\(path) must be an object") }
        for name in ["types", "not_types", "senders", "not_senders", "rooms", "not_rooms"] {
            if let list = object[name] { try strings(list, "\(path).\(name)") }
        }
        // any integer, as Synapse's schema ("number"; KeyMesh's parser has no floats)
        if let limit = object["limit"], limit.intValue == nil { throw .badJSON("\(path).limit must be an integer") }
        for name in ["contains_url", "include_redundant_members", "lazy_load_members", "unread_thread_notifications"] {
            if let flag = object[name], flag.boolValue == nil { throw .badJSON("\(path).\(name) must be a boolean") }
        }
    }

    private static func strings(_ value: JSONValue, _ path: String) throws(MatrixError) {
        guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
            throw .badJSON("\(path) must be an array of strings")
        }
    }
}
