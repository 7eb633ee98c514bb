// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// The device's pool of ephemeral keys, with secrets (docs/P2P.md §3): 10 unexpired,
/// unconsumed keys, each valid 7 days. A consumed or expired key leaves the pool and its secret
/// goes with it (``SecretBytes`` zeroes its storage when released).
public struct P2PKeyPool: Sendable {
    public static let size = 10
    public static let lifetime: Int64 = 7 * 24 * 3600 * 1000

    /// One ephemeral key with its public entry.
    struct Key: Sendable {
        let entry: P2PKeyEntry
        let secret: Curve25519SecretKey
        let digestBytes: [UInt8]

        init(secret: Curve25519SecretKey, id: String, expiresAt: Int64) {
            self.secret = secret
            digestBytes = SHA256Digest.hash(secret.publicKey.rawRepresentation)
            entry = P2PKeyEntry(id: id, digest: Base64.encode(digestBytes), expiresAt: expiresAt)
        }
    }

    var keys: [Key] = []

    /// An empty pool: call ``maintain(now:random:)`` to fill it.
    public init() {}

    /// The public entries, in creation order.
    public var entries: [P2PKeyEntry] { keys.map(\.entry) }

    /// Drops expired keys (a key expires when `now` reaches its `expiresAt`) and refills to
    /// ``size`` with fresh keys expiring at `now` + ``lifetime``. Returns whether anything changed
    /// (then the record must be published again).
    @discardableResult
    public mutating func maintain(now: Int64, random: some RandomSource) -> Bool {
        let before = keys.count
        keys.removeAll { $0.entry.expiresAt <= now }
        var changed = keys.count != before
        while keys.count < Self.size {
            let secret = Curve25519SecretKey(using: random)
            var id = P2PIdentifier.makeKeyID(random: random)
            while keys.contains(where: { $0.entry.id == id }) { id = P2PIdentifier.makeKeyID(random: random) }
            keys.append(Key(secret: secret, id: id, expiresAt: now &+ Self.lifetime))
            changed = true
        }
        return changed
    }

    /// Removes and returns the key `keyID` if it is present, unexpired at `now`, and its digest
    /// is `digest` (compared as bytes); else ``P2PError/ephemeralKeyMismatch`` and nothing changes.
    public mutating func consume(keyID: String, digest: String, now: Int64) throws(P2PError) -> Curve25519SecretKey {
        guard let index = keys.firstIndex(where: { $0.entry.id.utf8.elementsEqual(keyID.utf8) }),
              now < keys[index].entry.expiresAt,
              let given = try? P2PJSONReader.decode(digest, length: 32, field: "digest"),
              ConstantTime.equals(given, keys[index].digestBytes)
        else { throw .ephemeralKeyMismatch }
        return keys.remove(at: index).secret
    }
}

extension P2PKeyPool: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "P2PKeyPool(\(keys.count) keys, secrets redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["entries": entries], displayStyle: .struct) }
}
