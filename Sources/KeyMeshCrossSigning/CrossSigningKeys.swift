// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// A user's three cross-signing key pairs (docs/CROSS-SIGNING.md): the **master** key is the
/// user's identity and signs the other two; the **self-signing** key signs the user's own
/// devices; the **user-signing** key signs other users' master keys. Secrets never print.
public struct CrossSigningKeys: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let userID: String
    public let master: Ed25519SecretKey
    public let selfSigning: Ed25519SecretKey
    public let userSigning: Ed25519SecretKey

    /// Fresh keys.
    public init(userID: String, random: some RandomSource = SystemRandom()) {
        self.init(userID: userID, master: Ed25519SecretKey(using: random), selfSigning: Ed25519SecretKey(using: random),
                  userSigning: Ed25519SecretKey(using: random))
    }

    public init(userID: String, master: Ed25519SecretKey, selfSigning: Ed25519SecretKey, userSigning: Ed25519SecretKey) {
        self.userID = userID
        self.master = master
        self.selfSigning = selfSigning
        self.userSigning = userSigning
    }

    /// The `/keys/device_signing/upload` body: the three public key objects, the self-signing
    /// and user-signing ones signed by the master key.
    public func uploadBody() throws(SignatureError) -> JSONObject {
        [
            "master_key": .object(Self.keyObject(userID: userID, usage: "master", key: master.publicKey)),
            "self_signing_key": .object(try sign(Self.keyObject(userID: userID, usage: "self_signing", key: selfSigning.publicKey), with: master)),
            "user_signing_key": .object(try sign(Self.keyObject(userID: userID, usage: "user_signing", key: userSigning.publicKey), with: master)),
        ]
    }

    /// One of our devices' `device_keys` object with our self-signing signature added, ready for
    /// `/keys/signatures/upload` under `[userID][deviceID]`.
    public func signDevice(_ deviceKeys: JSONObject) throws(SignatureError) -> JSONObject {
        try sign(deviceKeys, with: selfSigning)
    }

    /// Another user's master key object (as `/keys/query` returned it) with our user-signing
    /// signature added, ready for `/keys/signatures/upload` under `[their user][their key]`.
    public func signUser(masterKey: JSONObject) throws(SignatureError) -> JSONObject {
        var stripped = masterKey
        stripped["unsigned"] = nil
        return try sign(stripped, with: userSigning)
    }

    /// The `/keys/signatures/upload` body for signed objects: `{user: {key id: object}}`, where
    /// the key id is a device id or a cross-signing public key.
    public static func signaturesUploadBody(_ items: [(userID: String, keyID: String, object: JSONObject)]) -> JSONObject {
        var body = JSONObject()
        for item in items {
            var perUser = body[item.userID]?.objectValue ?? [:]
            perUser[item.keyID] = .object(item.object)
            body[item.userID] = .object(perUser)
        }
        return body
    }

    /// The key object `{"user_id", "usage": [usage], "keys": {"ed25519:<pub>": "<pub>"}}`.
    public static func keyObject(userID: String, usage: String, key: Ed25519PublicKey) -> JSONObject {
        var keys = JSONObject()
        keys["ed25519:\(key.base64)"] = .string(key.base64)
        return ["user_id": .string(userID), "usage": [.string(usage)], "keys": .object(keys)]
    }

    private func sign(_ object: JSONObject, with key: Ed25519SecretKey) throws(SignatureError) -> JSONObject {
        try JSONSigner.sign(object, entity: userID, keyID: .ed25519(key.publicKey.base64), key: key)
    }

    public var description: String {
        "CrossSigningKeys(\(userID), master: \(master.publicKey.base64), secrets redacted)"
    }

    public var debugDescription: String { description }
}
