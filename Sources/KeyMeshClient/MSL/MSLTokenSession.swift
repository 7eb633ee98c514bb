// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshMatrixAPI

/// A master token the server issued to this device and the session keys that came with it
/// (docs/MSL.md §4, §6, §11). The token is opaque to the device (it cannot verify or decrypt
/// it); its plaintext fields say when to renew. Kept sealed in the client store; printing it
/// shows no key.
public struct MSLTokenSession: Sendable, CustomStringConvertible {
    /// The `mastertoken` object exactly as received, to present to the service.
    public let masterToken: JSONValue
    public let serialNumber: Int64
    public let sequenceNumber: Int64
    /// Seconds since 1970 from which the token should be renewed.
    public let renewalWindow: Int64
    /// Seconds since 1970 at which the token expires.
    public let expiration: Int64
    /// The session keys (AES-128 and HMAC-SHA256) this token carries.
    public let keys: MSLSessionKeys

    init(token: MSLMasterToken, keys: MSLSessionKeys) {
        masterToken = token.json
        serialNumber = token.serialNumber
        sequenceNumber = token.sequenceNumber
        renewalWindow = token.renewalWindow
        expiration = token.expiration
        self.keys = keys
    }

    /// Whether the renewal window has opened at `now` (docs/MSL.md §7).
    public func isRenewable(now: Int64) -> Bool { renewalWindow <= now }
    /// Whether the token has expired at `now` (docs/MSL.md §7).
    public func isExpired(now: Int64) -> Bool { expiration <= now }

    public var description: String {
        "MSLTokenSession(serial \(serialNumber), sequence \(sequenceNumber), renewable from \(renewalWindow), expires \(expiration))"
    }

    // MARK: Storage form (sealed by the store)

    func encoded() -> JSONObject {
        [
            "mastertoken": masterToken,
            "encryptionkey": .string(Base64.encode(keys.encryptionKey.unsafeExportSecret())),
            "hmackey": .string(Base64.encode(keys.hmacKey.unsafeExportSecret())),
        ]
    }

    /// Reads the stored form: the token is parsed again (unverified: the device holds no issuer
    /// keys), so its fields are the token's own.
    init(decoding object: JSONObject) throws {
        guard let token = object["mastertoken"], let enc = object["encryptionkey"]?.stringValue,
              let mac = object["hmackey"]?.stringValue, var encBytes = try? Base64.decode(enc),
              var macBytes = try? Base64.decode(mac)
        else { throw ClientError.store("corrupt MSL token record") }
        defer { SecretBytes.wipe(&encBytes); SecretBytes.wipe(&macBytes) }
        let parsed = try MSLMasterToken.parse(token, issuerKeys: [])
        self.init(token: parsed, keys: try MSLSessionKeys(encryptionKey: SecretBytes(encBytes), hmacKey: SecretBytes(macBytes)))
    }
}
