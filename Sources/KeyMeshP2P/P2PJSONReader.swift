// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// Typed member access for untrusted JSON objects: every miss is a ``P2PError/malformed(_:)``
/// naming the member, never a trap.
struct P2PJSONReader {
    let object: JSONObject
    let context: String

    init(_ object: JSONObject, context: String) {
        self.object = object
        self.context = context
    }

    func string(_ key: String) throws(P2PError) -> String {
        guard let value = object[key]?.stringValue else { throw .malformed("\(context).\(key) must be a string") }
        return value
    }

    func id(_ key: String) throws(P2PError) -> String {
        try P2PIdentifier.checked(try string(key), field: "\(context).\(key)")
    }

    func int(_ key: String) throws(P2PError) -> Int64 {
        guard let value = object[key]?.intValue else { throw .malformed("\(context).\(key) must be an integer") }
        return value
    }

    func bool(_ key: String) throws(P2PError) -> Bool {
        guard let value = object[key]?.boolValue else { throw .malformed("\(context).\(key) must be a Boolean") }
        return value
    }

    func object(_ key: String) throws(P2PError) -> JSONObject {
        guard let value = object[key]?.objectValue else { throw .malformed("\(context).\(key) must be an object") }
        return value
    }

    func array(_ key: String) throws(P2PError) -> [JSONValue] {
        guard let value = object[key]?.arrayValue else { throw .malformed("\(context).\(key) must be an array") }
        return value
    }

    /// Base64 (padded or not) decoding to exactly `length` bytes.
    func bytes(_ key: String, length: Int) throws(P2PError) -> [UInt8] {
        try P2PJSONReader.decode(try string(key), length: length, field: "\(context).\(key)")
    }

    /// A 32-byte X25519 public key in base64.
    func publicKey(_ key: String) throws(P2PError) -> Curve25519PublicKey {
        let raw = try bytes(key, length: Curve25519PublicKey.length)
        do { return try Curve25519PublicKey(rawRepresentation: raw) } catch {
            throw .malformed("\(context).\(key) is not an X25519 key")
        }
    }

    /// A secret of exactly `length` bytes in base64; the decoded copy is wiped.
    func secret(_ key: String, length: Int) throws(P2PError) -> SecretBytes {
        var raw = try bytes(key, length: length)
        defer { SecretBytes.wipe(&raw) }
        return SecretBytes(raw)
    }

    static func decode(_ text: String, length: Int, field: String) throws(P2PError) -> [UInt8] {
        // Base64 of `length` bytes is at most 4 * ceil(length / 3) characters, padded.
        guard text.utf8.count <= (length + 2) / 3 * 4 else { throw .malformed("\(field) has the wrong length") }
        let raw: [UInt8]
        do { raw = try Base64.decode(text) } catch { throw .malformed("\(field) is not base64") }
        guard raw.count == length else { throw .malformed("\(field) has the wrong length") }
        return raw
    }

    /// Whether `text` is base64 (padded or not) of exactly `length` bytes, by its shape alone:
    /// the same answer as decoding (docs/P2P.md §2), without the copy (public digests in records).
    static func isBase64(_ text: String, length: Int) -> Bool {
        let unpadded = length / 3 * 4 + (length % 3 == 0 ? 0 : length % 3 + 1)
        let padded = (length + 2) / 3 * 4
        var count = 0, pads = 0
        for byte in text.utf8 {
            count += 1
            if byte == UInt8(ascii: "=") {
                pads += 1
                continue
            }
            let ok = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || (byte >= 0x30 && byte <= 0x39) || byte == 0x2B || byte == 0x2F
            guard ok, pads == 0, count <= padded else { return false }
        }
        return (pads == 0 && count == unpadded) || (pads > 0 && count == padded && count - pads == unpadded)
    }
}
