// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport

/// Fixed issuer keys and hand-crafted tokens for the master token tests (docs/MSL.md §6).
enum TokenFixtures {
    static func issuerKeys(_ id: String = "kid-1", seed: UInt8 = 1) -> MSLIssuerKeys {
        let enc = SecretBytes((0..<16).map { UInt8($0) &+ seed })
        let mac = SecretBytes((0..<32).map { UInt8($0) &* 3 &+ seed })
        guard let keys = try? MSLIssuerKeys(keyID: id, encryptionKey: enc, hmacKey: mac) else {
            preconditionFailure("fixed test keys are valid") // test data
        }
        return keys
    }

    static let random = SeededRandom(seed: 14)

    static func sessionKeys(_ seed: UInt64 = 7) -> MSLSessionKeys {
        MSLSessionKeys.random(using: SeededRandom(seed: seed))
    }

    /// A valid session data object, to be altered by a test.
    static func sessionObject(keys: MSLSessionKeys = sessionKeys()) -> JSONObject {
        [
            "identity": "entity-1",
            "encryptionkey": .string(MSLBase64.encode(keys.encryptionKey.unsafeExportSecret())),
            "encryptionalgorithm": "AES",
            "hmackey": .string(MSLBase64.encode(keys.hmacKey.unsafeExportSecret())),
            "signaturekey": .string(MSLBase64.encode(keys.hmacKey.unsafeExportSecret())),
            "signaturealgorithm": "HmacSHA256",
        ]
    }

    /// A sealed version 1 envelope of `plaintext` under `keys`.
    static func envelope(_ plaintext: [UInt8], keys: MSLIssuerKeys = issuerKeys()) throws -> [UInt8] {
        try MSLCiphertextEnvelope.seal(plaintext, keys: keys, random: random)
    }

    /// A valid tokendata object whose `sessiondata` is `sessiondata` (default: a good envelope).
    static func tokendataObject(sessiondata: [UInt8]? = nil, keys: MSLIssuerKeys = issuerKeys()) throws -> JSONObject {
        let data = try sessiondata ?? envelope(MSLJSON.encode(.object(sessionObject())), keys: keys)
        return [
            "renewalwindow": 100, "expiration": 200, "sequencenumber": 5, "serialnumber": 77,
            "sessiondata": .string(MSLBase64.encode(data)),
        ]
    }

    /// `{"tokendata","signature"}` over `tokendata` bytes, signed with `keys`.
    static func token(tokendata: [UInt8], keys: MSLIssuerKeys = issuerKeys()) -> JSONValue {
        let signature = MSLSignatureEnvelope.sign(tokendata, key: keys.hmacKey)
        return ["tokendata": .string(MSLBase64.encode(tokendata)), "signature": .string(MSLBase64.encode(signature))]
    }

    static func token(_ object: JSONObject, keys: MSLIssuerKeys = issuerKeys()) -> JSONValue {
        token(tokendata: MSLJSON.encode(.object(object)), keys: keys)
    }

    /// A token whose session data plaintext is `session` (sealed and signed with `keys`).
    static func token(session: [UInt8], keys: MSLIssuerKeys = issuerKeys()) throws -> JSONValue {
        token(try tokendataObject(sessiondata: try envelope(session, keys: keys), keys: keys), keys: keys)
    }

    static func issued(sequenceNumber: Int64 = 5, serialNumber: Int64 = 77, expiration: Int64 = 200,
                       keys: MSLIssuerKeys = issuerKeys()) throws -> MSLMasterToken {
        try MSLMasterToken.issue(
            identity: "entity-1", keys: sessionKeys(), issuerData: ["user_id": "@a:b"], renewalWindow: 100,
            expiration: expiration, sequenceNumber: sequenceNumber, serialNumber: serialNumber, issuerKeys: keys,
            random: random)
    }
}
