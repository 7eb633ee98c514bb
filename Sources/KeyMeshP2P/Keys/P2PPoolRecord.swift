// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// A device's pool record as published in account data (docs/P2P.md §3).
public struct P2PPoolRecord: Sendable, Equatable {
    public let userID: String, deviceID: String
    /// The device's P2P identity key.
    public let identityKey: Curve25519PublicKey
    /// At most ``P2PKeyPool/size`` published keys.
    public let keys: [P2PKeyEntry]
    /// The object exactly as received or signed (with `signatures`; unknown members kept).
    public let object: JSONObject

    /// The unsigned object to sign: the caller signs it with the device's Ed25519 key (JSONSigner)
    /// under `signatures[userID]["ed25519:" + deviceID]`.
    public static func unsigned(userID: String, deviceID: String, identityKey: Curve25519PublicKey,
                                keys: [P2PKeyEntry]) -> JSONObject {
        [
            "algorithm": .string(P2PProtocol.name),
            "user_id": .string(userID),
            "device_id": .string(deviceID),
            "identity_key": .string(identityKey.base64),
            "keys": .array(keys.map { .object($0.object) }),
        ]
    }

    /// Parses and checks everything of docs/P2P.md §3: the algorithm, `user_id` = `userID`,
    /// `device_id` = `deviceID`, the signature by `deviceEd25519`, the identity key and ≤ 10 keys.
    /// A bad or missing signature is ``P2PError/authenticationFailure``.
    public static func verify(_ object: JSONObject, userID: String, deviceID: String,
                              deviceEd25519: Ed25519PublicKey) throws(P2PError) -> P2PPoolRecord {
        let record = try parseUnverified(object)
        guard record.userID.utf8.elementsEqual(userID.utf8) else { throw .malformed("record.user_id is not the expected user") }
        guard record.deviceID.utf8.elementsEqual(deviceID.utf8) else { throw .malformed("record.device_id is not the expected device") }
        do {
            try JSONSigner.verify(object, entity: userID, keyID: .ed25519(deviceID), publicKey: deviceEd25519)
        } catch {
            throw .authenticationFailure
        }
        return record
    }

    /// Parses without checking the signature (the responder reads user and device from it first).
    public static func parseUnverified(_ object: JSONObject) throws(P2PError) -> P2PPoolRecord {
        let reader = P2PJSONReader(object, context: "record")
        guard object["algorithm"]?.stringValue == P2PProtocol.name else {
            throw .malformed("record.algorithm must be \(P2PProtocol.name)")
        }
        let list = try reader.array("keys")
        guard list.count <= P2PKeyPool.size else { throw .malformed("record holds more than \(P2PKeyPool.size) keys") }
        var keys: [P2PKeyEntry] = []
        for value in list {
            let entry = try P2PKeyEntry(parsing: value)
            guard !keys.contains(where: { $0.id == entry.id }) else { throw .malformed("record holds a key id twice") }
            keys.append(entry)
        }
        return P2PPoolRecord(userID: try reader.id("user_id"), deviceID: try reader.id("device_id"),
                             identityKey: try reader.publicKey("identity_key"), keys: keys, object: object)
    }

    /// The entry an initiator should nominate at `now` (expiring at least 60 s later), chosen
    /// uniformly with `random`; nil if none qualifies.
    public func nominate(now: Int64, random: some RandomSource) -> P2PKeyEntry? {
        let usable = keys.filter { $0.expiresAt >= now &+ P2PProtocol.nominationMargin }
        guard !usable.isEmpty else { return nil }
        let draw = random.bytes(count: 8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return usable[Int(draw % UInt64(usable.count))]
    }
}
