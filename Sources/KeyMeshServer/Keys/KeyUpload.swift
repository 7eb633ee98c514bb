// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshStore

/// A checked `POST /keys/upload` body (docs/SERVER.md "Endpoints"), ready to store. Checking happens
/// before anything is written, and the store writes the result in one transaction, so a
/// refused upload changes nothing (docs/SERVER.md "Upload rules").
///
/// Rules: `device_keys` must name the requester's user and device, hold an `ed25519:<device>`
/// key and carry a valid self-signature by it; its keys may not differ from the device's stored
/// ones (a device's identity never changes); every one-time and fallback key must be a signed
/// object whose signature by that device key verifies (the key in the same upload, else the
/// stored one); `signed_curve25519` keys must be 32-byte base64; at most one fallback key per
/// algorithm; every identifier follows ``Identifier``; objects and counts stay within
/// ``KeyLimits``.
struct KeyUpload: Sendable {
    /// The device keys object to store, canonical, without `unsigned`.
    var deviceKeysJSON: String?
    var oneTimeKeys: [StoredKeyObject] = []
    var fallbackKeys: [StoredKeyObject] = []

    /// - Parameter storedDeviceKeys: the device's stored `device_keys` JSON, if any.
    init(_ body: JSONObject, requester: DeviceRef, storedDeviceKeys: String?, limits: KeyLimits) throws(MatrixError) {
        var signingKey: Ed25519PublicKey?
        let stored = storedDeviceKeys.flatMap { (try? JSONParser.parse($0))?.objectValue }
        if let deviceKeys = try body.optionalObject("device_keys") {
            signingKey = try Self.checkDeviceKeys(deviceKeys, requester: requester)
            var object = deviceKeys
            object["unsigned"] = nil
            let json = try Self.canonical(object)
            guard json.utf8.count <= limits.maxDeviceKeysBytes else {
                throw Self.tooLarge("device_keys is larger than \(limits.maxDeviceKeysBytes) bytes")
            }
            // the identity keys of a device id never change (docs/SERVER.md "Upload rules"):
            // signatures made over the old keys must not end up merged into new ones
            if let stored, let old = stored["keys"], old != object["keys"] {
                throw .invalidParam("This device already has other keys: a new identity needs a new device id (log in again)")
            }
            deviceKeysJSON = json
        } else if let stored {
            signingKey = try? Self.ed25519Key(in: stored, deviceID: requester.deviceID)
        }
        if let keys = try body.optionalObject("one_time_keys") {
            guard keys.count <= limits.maxOneTimeKeys else {
                throw Self.tooLarge("At most \(limits.maxOneTimeKeys) one-time keys per device")
            }
            oneTimeKeys = try Self.keyObjects(keys, field: "one_time_keys", signingKey: signingKey, requester: requester,
                                              maxBytes: limits.maxKeyObjectBytes)
        }
        if let keys = try body.optionalObject("fallback_keys") {
            guard keys.count <= limits.maxFallbackKeys else {
                throw Self.tooLarge("At most \(limits.maxFallbackKeys) fallback keys per device")
            }
            fallbackKeys = try Self.keyObjects(keys, field: "fallback_keys", signingKey: signingKey, requester: requester,
                                               maxBytes: limits.maxKeyObjectBytes)
            guard Set(fallbackKeys.map(\.algorithm)).count == fallbackKeys.count else {
                throw .invalidParam("At most one fallback key per algorithm")
            }
        }
    }

    /// 413 `M_TOO_LARGE`, as for every exceeded limit (docs/SECURITY.md "Limits").
    static func tooLarge(_ message: String) -> MatrixError {
        MatrixError(.contentTooLarge, "M_TOO_LARGE", message)
    }

    /// Checks a `device_keys` object; returns its Ed25519 key.
    static func checkDeviceKeys(_ keys: JSONObject, requester: DeviceRef) throws(MatrixError) -> Ed25519PublicKey {
        guard try keys.string("user_id", at: "device_keys.") == requester.userID,
              try keys.string("device_id", at: "device_keys.") == requester.deviceID
        else { throw .badJSON("device_keys must be for the user and device of the access token") }
        guard let algorithms = keys["algorithms"]?.arrayValue, algorithms.allSatisfy({ $0.stringValue != nil }) else {
            throw .badJSON("device_keys.algorithms must be a list of strings")
        }
        for algorithm in algorithms { try Identifier.check(algorithm.stringValue ?? "", "device_keys.algorithms entry") }
        let map = try keys.object("keys", at: "device_keys.")
        for (keyID, value) in map {
            guard KeyID(keyID) != nil, let text = value.stringValue else {
                throw .badJSON("device_keys.keys must map algorithm:id to strings")
            }
            try Identifier.check(keyID, "device_keys.keys key id")
            if keyID.hasPrefix("curve25519:"), (try? Base64.decode(text))?.count != 32 {
                throw .badJSON("\(keyID) must be a 32-byte base64 key")
            }
        }
        let ed25519 = try ed25519Key(in: keys, deviceID: requester.deviceID)
        do {
            try JSONSigner.verify(keys, entity: requester.userID, keyID: .ed25519(requester.deviceID), publicKey: ed25519)
        } catch {
            throw MatrixError(.badRequest, "M_INVALID_SIGNATURE", "device_keys are not self-signed by ed25519:\(requester.deviceID)")
        }
        return ed25519
    }

    static func ed25519Key(in keys: JSONObject, deviceID: String) throws(MatrixError) -> Ed25519PublicKey {
        guard let text = keys["keys"]?.objectValue?["ed25519:\(deviceID)"]?.stringValue,
              let key = try? Ed25519PublicKey(base64: text)
        else { throw .badJSON("device_keys.keys must hold a 32-byte ed25519:\(deviceID) key") }
        return key
    }

    static func keyObjects(_ keys: JSONObject, field: String, signingKey: Ed25519PublicKey?,
                           requester: DeviceRef, maxBytes: Int) throws(MatrixError) -> [StoredKeyObject] {
        var out: [StoredKeyObject] = []
        for (name, value) in keys {
            guard let keyID = KeyID(name), !keyID.algorithm.isEmpty, !keyID.id.isEmpty else {
                throw .badJSON("\(field) keys must be algorithm:id")
            }
            // byte-exact, printable ASCII: `x.caf\u{e9}` and `x.cafe\u{301}` cannot both be stored
            try Identifier.check(name, "\(field) key id")
            guard var object = value.objectValue else {
                throw .badJSON("\(field).\(name) must be a signed key object (unsigned keys are refused)")
            }
            let key = try object.string("key", at: "\(field).\(name).")
            var identity = object
            identity["signatures"] = nil
            identity["unsigned"] = nil
            if keyID.algorithm == "signed_curve25519" {
                guard let bytes = try? Base64.decode(key), bytes.count == 32 else {
                    throw .badJSON("\(field).\(name).key must be a 32-byte base64 key")
                }
                // compare keys by value: the same key in padded base64 is the same key
                identity["key"] = .string(Base64.encode(bytes))
            }
            object["unsigned"] = nil
            let json = try canonical(object)
            // the size first: a signature check costs more than a length
            guard json.utf8.count <= maxBytes else { throw tooLarge("\(field).\(name) is larger than \(maxBytes) bytes") }
            guard let signingKey else {
                throw .badJSON("Upload device_keys before (or with) \(field)")
            }
            do {
                try JSONSigner.verify(object, entity: requester.userID, keyID: .ed25519(requester.deviceID), publicKey: signingKey)
            } catch {
                throw MatrixError(.badRequest, "M_INVALID_SIGNATURE", "\(field).\(name) is not signed by ed25519:\(requester.deviceID)")
            }
            out.append(StoredKeyObject(algorithm: keyID.algorithm, keyID: keyID.id, json: json, identity: try canonical(identity)))
        }
        return out
    }

    static func canonical(_ object: JSONObject) throws(MatrixError) -> String {
        do { return try CanonicalJSON.string(.object(object)) } catch { throw .badJSON("Integer out of range") }
    }
}
