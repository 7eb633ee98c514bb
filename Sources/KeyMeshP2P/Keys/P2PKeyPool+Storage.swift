// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

extension P2PKeyPool {
    /// Storage form: `{"version": 1, "keys": [{"id", "secret", "expires_ts"}]}`. It holds the
    /// secrets of unconsumed keys only: the caller seals it.
    public func encoded() -> JSONObject {
        let list: [JSONValue] = keys.map { key in
            let secret = key.secret.unsafeExportSecret()
            return .object([
                "id": .string(key.entry.id),
                "secret": .string(Base64.encode(secret.unsafeExportSecret())),
                "expires_ts": .int(key.entry.expiresAt),
            ])
        }
        return ["version": 1, "keys": .array(list)]
    }

    /// The inverse of ``encoded()``: at most ``size`` keys, distinct valid ids, 32-byte secrets.
    public init(decoding object: JSONObject) throws(P2PError) {
        let reader = P2PJSONReader(object, context: "pool")
        guard object["version"]?.intValue == 1 else { throw .malformed("pool.version must be 1") }
        let list = try reader.array("keys")
        guard list.count <= Self.size else { throw .malformed("pool holds more than \(Self.size) keys") }
        self.init()
        for value in list {
            guard let item = value.objectValue else { throw .malformed("pool.keys entries must be objects") }
            let entry = P2PJSONReader(item, context: "pool.keys[]")
            let id = try entry.id("id")
            guard !keys.contains(where: { $0.entry.id == id }) else { throw .malformed("pool holds a key id twice") }
            let secret: Curve25519SecretKey
            do { secret = try Curve25519SecretKey(secret: try entry.secret("secret", length: 32)) } catch {
                throw .malformed("pool.keys[].secret is not an X25519 key")
            }
            keys.append(Key(secret: secret, id: id, expiresAt: try entry.int("expires_ts")))
        }
    }
}
