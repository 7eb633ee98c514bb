// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// The decrypted `sessiondata` of a verified master token (docs/MSL.md §6): who the token is
/// for, its session keys and the issuer's own data.
public struct MSLSessionData: Sendable {
    public let identity: String
    public let keys: MSLSessionKeys
    public let issuerData: JSONObject?

    public init(identity: String, keys: MSLSessionKeys, issuerData: JSONObject?) {
        self.identity = identity
        self.keys = keys
        self.issuerData = issuerData
    }

    /// The plaintext JSON; `hmackey` and `signaturekey` hold the same key (docs/MSL.md §6 step 1).
    /// Empty when the issuer data has no MSL encoding (an integer beyond ±2^53).
    func plaintext() -> [UInt8] {
        var issuerJSON: [UInt8] = []
        if let issuerData {
            issuerJSON = MSLJSON.encode(.object(issuerData))
            guard !issuerJSON.isEmpty else { return [] }
        }
        var encryptionKey = keys.encryptionKey.unsafeExportSecret()
        var hmacKey = keys.hmacKey.unsafeExportSecret()
        defer { SecretBytes.wipe(&encryptionKey); SecretBytes.wipe(&hmacKey) }
        var writer = MSLJSONWriter(capacity: 256 + identity.utf8.count + issuerJSON.count)
        writer.string("encryptionalgorithm", "AES")
        writer.base64("encryptionkey", encryptionKey)
        writer.base64("hmackey", hmacKey)
        writer.string("identity", identity)
        if issuerData != nil { writer.raw("issuerdata", issuerJSON) }
        writer.string("signaturealgorithm", "HmacSHA256")
        writer.base64("signaturekey", hmacKey)
        return writer.finish()
    }

    /// Reads decrypted session data (docs/MSL.md §6 "Reading").
    /// - Throws: `MASTERTOKEN_SESSIONDATA_PARSE_ERROR`, `UNIDENTIFIED_ALGORITHM`,
    ///   `MASTERTOKEN_KEY_CREATION_ERROR`.
    static func parse(_ plaintext: [UInt8]) throws(MSLError) -> MSLSessionData {
        let reader = try MSLObjectReader(bytes: plaintext, code: .mastertokenSessiondataParseError)
        let issuerData = try reader.optionalObject("issuerdata")
        let identity = try reader.string("identity")
        var encryptionKey = try reader.binary("encryptionkey")
        let encryptionAlgorithm = try reader.optionalString("encryptionalgorithm") ?? "AES"
        var hmacKey = reader.has("signaturekey") ? try reader.binary("signaturekey") : try reader.binary("hmackey")
        let signatureAlgorithm = try reader.optionalString("signaturealgorithm") ?? "HmacSHA256"
        defer { SecretBytes.wipe(&encryptionKey); SecretBytes.wipe(&hmacKey) }
        guard encryptionAlgorithm.mslEquals("AES"), signatureAlgorithm.mslEquals("HmacSHA256") else {
            throw MSLError(.unidentifiedAlgorithm, "session data algorithms must be AES and HmacSHA256")
        }
        let keys: MSLSessionKeys
        do {
            keys = try MSLSessionKeys(encryptionKey: SecretBytes(encryptionKey), hmacKey: SecretBytes(hmacKey))
        } catch {
            throw MSLError(.mastertokenKeyCreationError, "session keys must be 16 and 32 bytes")
        }
        return MSLSessionData(identity: identity, keys: keys, issuerData: issuerData)
    }
}
