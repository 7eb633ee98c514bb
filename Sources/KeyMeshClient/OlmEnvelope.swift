// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm

/// The Olm to-device envelope and its plaintext (docs/CLIENT.md "Receiving").
enum OlmEnvelope {
    static let algorithm = "m.olm.v1.curve25519-aes-sha2"

    /// Why an incoming `m.room.encrypted` event was discarded.
    enum Rejection: Error, Equatable {
        case notOlm
        case notForThisDevice
        case malformed(String)
        /// No session of ours decrypts it (the sender's key is kept to repair the session).
        case undecryptable(Curve25519PublicKey)
        case unknownSenderDevice
        case plaintextMismatch(String)
    }

    /// The plaintext JSON for one recipient device.
    static func plaintext(type: String, content: JSONObject, sender: String, senderEd25519: Ed25519PublicKey,
                          recipient: DeviceIdentity) throws -> [UInt8] {
        try CanonicalJSON.encode([
            "type": .string(type), "content": .object(content), "sender": .string(sender),
            "recipient": .string(recipient.userID),
            "recipient_keys": ["ed25519": .string(recipient.ed25519.base64)],
            "keys": ["ed25519": .string(senderEd25519.base64)],
        ])
    }

    /// The `m.room.encrypted` content carrying one message to `recipient`.
    static func content(_ message: OlmMessage, senderKey: Curve25519PublicKey, recipient: DeviceIdentity) -> JSONObject {
        var ciphertext = JSONObject()
        ciphertext[recipient.curve25519.base64] = ["type": .int(Int64(message.messageType)), "body": .string(message.body)]
        return ["algorithm": .string(algorithm), "sender_key": .string(senderKey.base64), "ciphertext": .object(ciphertext)]
    }

    /// Picks out our ciphertext: the sender's Curve25519 key and the Olm message.
    static func incoming(_ content: JSONObject, ourKey: Curve25519PublicKey) throws(Rejection) -> (Curve25519PublicKey, OlmMessage) {
        guard content["algorithm"]?.stringValue == algorithm else { throw .notOlm }
        guard let senderText = content["sender_key"]?.stringValue, let senderKey = try? Curve25519PublicKey(base64: senderText) else {
            throw .malformed("sender_key")
        }
        guard let ours = content["ciphertext"]?.objectValue?[ourKey.base64]?.objectValue else { throw .notForThisDevice }
        guard let type = ours["type"]?.intValue, let body = ours["body"]?.stringValue,
              let message = try? OlmMessage(type: Int(type), body: body)
        else { throw .malformed("ciphertext") }
        return (senderKey, message)
    }

    /// Checks a decrypted plaintext against the event and both devices; returns its type and content.
    static func check(_ plaintext: [UInt8], eventSender: String, senderDevice: DeviceIdentity,
                      me: DeviceIdentity) throws(Rejection) -> (type: String, content: JSONObject) {
        guard let object = (try? JSONParser.parse(plaintext))?.objectValue,
              let type = object["type"]?.stringValue, let content = object["content"]?.objectValue
        else { throw .malformed("plaintext") }
        guard object["sender"]?.stringValue == eventSender, senderDevice.userID == eventSender else {
            throw .plaintextMismatch("sender")
        }
        guard object["keys"]?.objectValue?["ed25519"]?.stringValue == senderDevice.ed25519.base64 else {
            throw .plaintextMismatch("keys.ed25519")
        }
        guard object["recipient"]?.stringValue == me.userID else { throw .plaintextMismatch("recipient") }
        guard object["recipient_keys"]?.objectValue?["ed25519"]?.stringValue == me.ed25519.base64 else {
            throw .plaintextMismatch("recipient_keys.ed25519")
        }
        return (type, content)
    }
}
