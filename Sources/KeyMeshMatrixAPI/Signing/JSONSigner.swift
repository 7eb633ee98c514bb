// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Signs and verifies JSON objects as the Matrix spec defines (appendix "Signing JSON";
/// docs/OLM.md "Canonical JSON decisions"): `signatures` and `unsigned` are removed, the rest is canonical-encoded
/// and signed with Ed25519; the signature goes to `signatures[entity][keyID]` next to the
/// existing ones, and `unsigned` is restored. This is the one JSON signer in KeyMesh.
public enum JSONSigner {
    /// The canonical bytes a signature covers: the object without `signatures` and `unsigned`.
    public static func signedBytes(of object: JSONObject) throws(SignatureError) -> [UInt8] {
        var stripped = object
        stripped["signatures"] = nil
        stripped["unsigned"] = nil
        do { return try CanonicalJSON.encode(.object(stripped)) } catch { throw .notCanonical(error) }
    }

    /// Returns `object` with a signature by `key` added under `signatures[entity][keyID]`.
    /// - Parameters:
    ///   - entity: the signing user ID (or server name).
    ///   - keyID: `ed25519:<device id>` or `ed25519:<public key>`.
    /// - Throws: ``SignatureError/notCanonical(_:)`` if the object holds an out-of-range integer;
    ///   ``SignatureError/malformedSignatures`` if `signatures` exists but is not an object of objects.
    public static func sign(_ object: JSONObject, entity: String, keyID: KeyID,
                            key: Ed25519SecretKey) throws(SignatureError) -> JSONObject {
        let signature = key.signature(for: try signedBytes(of: object))
        var signatures = JSONObject()
        if let existing = object["signatures"] {
            guard let existingObject = existing.objectValue,
                  existingObject.allSatisfy({ $0.value.objectValue != nil })
            else { throw .malformedSignatures }
            signatures = existingObject
        }
        let forEntity = signatures[entity]?.objectValue ?? JSONObject()
        var updated = forEntity
        updated[keyID.description] = .string(signature.base64)
        signatures[entity] = .object(updated)
        var signed = object
        signed["signatures"] = .object(signatures)
        return signed
    }

    /// Checks that `object` carries a valid signature by `publicKey` at `signatures[entity][keyID]`.
    /// - Throws: ``SignatureError/missingSignature`` if there is no such entry,
    ///   ``SignatureError/unsupportedAlgorithm(_:)`` unless `keyID` is `ed25519:…`,
    ///   ``SignatureError/invalidSignature`` if the signature is malformed or does not verify.
    public static func verify(_ object: JSONObject, entity: String, keyID: KeyID,
                              publicKey: Ed25519PublicKey) throws(SignatureError) {
        guard keyID.algorithm == "ed25519" else { throw .unsupportedAlgorithm(keyID.algorithm) }
        guard let signatures = object["signatures"]?.objectValue,
              let forEntity = signatures[entity]?.objectValue,
              let value = forEntity[keyID.description]
        else { throw .missingSignature }
        guard let text = value.stringValue, let signature = try? Ed25519Signature(base64: text) else {
            throw .invalidSignature
        }
        guard publicKey.isValidSignature(signature, for: try signedBytes(of: object)) else {
            throw .invalidSignature
        }
    }
}

/// Why a JSON signature could not be made or checked.
public enum SignatureError: Error, Equatable, Sendable {
    /// No signature at `signatures[entity][keyID]`.
    case missingSignature
    /// The key ID names an algorithm other than `ed25519`.
    case unsupportedAlgorithm(String)
    /// The signature is not valid base64 of 64 bytes or does not verify.
    case invalidSignature
    /// `signatures` is present but not an object of objects.
    case malformedSignatures
    /// The object cannot be canonical-encoded.
    case notCanonical(CanonicalJSONError)
}
