// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// What is handed over (docs/P2P.md §8, §9): the three 32-byte Ed25519 seeds of the user's
/// cross-signing keys, and after `--reset-master` the old master key's signature of the new one.
public struct P2PSecrets: Sendable {
    public let master: SecretBytes, selfSigning: SecretBytes, userSigning: SecretBytes
    /// base64 Ed25519 signature by the old master key (docs/P2P.md §9, `--reset-master` only).
    public let masterSignature: String?

    public init(master: SecretBytes, selfSigning: SecretBytes, userSigning: SecretBytes, masterSignature: String? = nil) {
        self.master = master
        self.selfSigning = selfSigning
        self.userSigning = userSigning
        self.masterSignature = masterSignature
    }

    /// The `authgrant` / `rotation` body.
    public var body: JSONObject {
        var object: JSONObject = [
            "master_key": .string(Base64.encode(master.unsafeExportSecret())),
            "self_signing_key": .string(Base64.encode(selfSigning.unsafeExportSecret())),
            "user_signing_key": .string(Base64.encode(userSigning.unsafeExportSecret())),
        ]
        if let masterSignature { object["master_key_signature"] = .string(masterSignature) }
        return object
    }

    /// Parses a grant or rotation body: three base64 seeds of exactly 32 bytes, and an optional
    /// 64-byte signature. Anything else is ``P2PError/badGrant(_:)``.
    public init(body: JSONObject) throws(P2PError) {
        let reader = P2PJSONReader(body, context: "body")
        do {
            master = try reader.secret("master_key", length: 32)
            selfSigning = try reader.secret("self_signing_key", length: 32)
            userSigning = try reader.secret("user_signing_key", length: 32)
            if body.contains("master_key_signature") {
                let text = try reader.string("master_key_signature")
                _ = try P2PJSONReader.decode(text, length: Ed25519Signature.length, field: "body.master_key_signature")
                masterSignature = text
            } else {
                masterSignature = nil
            }
        } catch {
            if case .malformed(let why) = error { throw .badGrant(why) }
            throw error
        }
    }

    /// The three public keys the seeds give: master, self-signing, user-signing.
    public func publicKeys() throws(P2PError) -> (master: Ed25519PublicKey, selfSigning: Ed25519PublicKey,
                                                  userSigning: Ed25519PublicKey) {
        do {
            return (try Ed25519SecretKey(seed: master).publicKey, try Ed25519SecretKey(seed: selfSigning).publicKey,
                    try Ed25519SecretKey(seed: userSigning).publicKey)
        } catch {
            throw .badGrant("a seed is not an Ed25519 key")
        }
    }

    /// docs/P2P.md §8: the seeds must give exactly the user's current public keys (from `/keys/query`).
    public func check(master: Ed25519PublicKey, selfSigning: Ed25519PublicKey,
                      userSigning: Ed25519PublicKey) throws(P2PError) {
        let keys = try publicKeys()
        guard keys.master == master else { throw .badGrant("the master seed is not the user's master key") }
        guard keys.selfSigning == selfSigning else { throw .badGrant("the self-signing seed is not the user's key") }
        guard keys.userSigning == userSigning else { throw .badGrant("the user-signing seed is not the user's key") }
    }

    /// The text the old master key signs after `--reset-master` (docs/P2P.md §9).
    public static func newMasterStatement(_ newMaster: Ed25519PublicKey) -> [UInt8] {
        Array("\(P2PProtocol.name) new master \(newMaster.base64)".utf8)
    }

    /// docs/P2P.md §9: a rotation body is accepted only if its master seed is the one held
    /// (compared in constant time) or, with `master_key_signature`, the held master key signed
    /// the new master public key; and the three public keys are the user's current ones.
    public func checkRotation(heldMaster: SecretBytes, master: Ed25519PublicKey, selfSigning: Ed25519PublicKey,
                              userSigning: Ed25519PublicKey) throws(P2PError) {
        if let masterSignature {
            let held: Ed25519PublicKey
            do { held = try Ed25519SecretKey(seed: heldMaster).publicKey } catch {
                throw .badGrant("the held master seed is not an Ed25519 key")
            }
            guard let signature = try? Ed25519Signature(base64: masterSignature),
                  held.isValidSignature(signature, for: Self.newMasterStatement(master))
            else { throw .badGrant("the new master key is not signed by the held one") }
        } else {
            guard self.master == heldMaster else { throw .badGrant("the master seed is not the one held") }
        }
        try check(master: master, selfSigning: selfSigning, userSigning: userSigning)
    }
}

extension P2PSecrets: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "P2PSecrets(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
