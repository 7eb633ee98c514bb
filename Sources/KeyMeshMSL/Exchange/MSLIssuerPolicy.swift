// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// An entity's pre-shared keys for SYMMETRIC_WRAPPED `PSK` (docs/MSL.md §5.3): `Kpe` (16 bytes)
/// and `Kph` (32 bytes). Redacted when printed.
public struct MSLPreSharedKey: Sendable, CustomStringConvertible {
    public let encryptionKey: SecretBytes
    public let hmacKey: SecretBytes

    /// Keys of 16 and 32 bytes, else `MSL_PARSE_ERROR`.
    public init(encryptionKey: SecretBytes, hmacKey: SecretBytes) throws(MSLError) {
        guard encryptionKey.count == 16, hmacKey.count == 32 else {
            throw MSLError(.mslParseError, "pre-shared keys must be 16 and 32 bytes")
        }
        self.encryptionKey = encryptionKey
        self.hmacKey = hmacKey
        wrappingKey = MSLSymmetricWrap.wrappingKey(preSharedEncryptionKey: encryptionKey, hmacKey: hmacKey)
    }

    /// Parses `ENCHEX:HMACHEX` (the `--psk ID=ENCHEX:HMACHEX` value after `=`).
    public static func parse(_ text: String) throws(MSLError) -> MSLPreSharedKey {
        let (enc, mac) = try MSLIssuerKeys.parseKeyPair(text)
        return try MSLPreSharedKey(encryptionKey: enc, hmacKey: mac)
    }

    /// The wrapping key `Kpw` (docs/MSL.md §5.3), derived once here rather than per exchange.
    public let wrappingKey: SecretBytes

    public var description: String { "MSLPreSharedKey(redacted)" }
}

/// What an issuer offers and how long its tokens live (docs/MSL.md §3, §5, §7).
public struct MSLIssuerPolicy: Sendable {
    /// Seconds from issue to the renewal window.
    public let renewalWindow: Int64
    /// Seconds from issue to expiry; never shorter than `renewalWindow`.
    public let lifetime: Int64
    /// The DH parameter sets it answers, looked up by exact `parametersid`.
    public let dhParameters: [MSLDHParameters]
    /// Pre-shared keys by exact identity bytes; empty means `PSK` is unsupported (§5.3).
    public let preSharedKeys: [(identity: String, keys: MSLPreSharedKey)]
    /// The schemes it tries, in order (default DH, asymmetric, symmetric, §3).
    public let schemeOrder: [MSLScheme]

    /// - Throws: `MSL_PARSE_ERROR` for a negative window, a lifetime shorter than the window, or
    ///   times beyond 2^53.
    public init(renewalWindow: Int64 = 60, lifetime: Int64 = 120,
                dhParameters: [MSLDHParameters] = [.rfc3526Group14],
                preSharedKeys: [(identity: String, keys: MSLPreSharedKey)] = [],
                schemeOrder: [MSLScheme] = MSLScheme.preferenceOrder) throws(MSLError) {
        guard renewalWindow >= 0, lifetime >= renewalWindow, lifetime <= MSLJSON.maxInteger / 2 else {
            throw MSLError(.mslParseError, "need 0 ≤ renewal window ≤ lifetime ≤ 2^52 seconds")
        }
        self.renewalWindow = renewalWindow
        self.lifetime = lifetime
        self.dhParameters = dhParameters
        self.preSharedKeys = preSharedKeys
        self.schemeOrder = schemeOrder
    }

    /// The parameter set named exactly `id`.
    func dhParameters(id: String) -> MSLDHParameters? {
        dhParameters.first { $0.id.mslEquals(id) }
    }

    /// The pre-shared keys of exactly `identity`.
    func preSharedKey(identity: String) -> MSLPreSharedKey? {
        preSharedKeys.first { $0.identity.mslEquals(identity) }?.keys
    }
}

/// A new master token and the key response that carries it (docs/MSL.md §3, §7).
public struct MSLIssuance: Sendable {
    /// The scheme of the offer that answered.
    public let scheme: MSLScheme
    /// The session keys of the new token (also inside it).
    public let sessionKeys: MSLSessionKeys
    /// The new token.
    public let masterToken: MSLMasterToken
    /// The renewed token; nil for a new lineage.
    public let previous: MSLMasterToken?
    /// The identity the token is for.
    public let identity: String
    /// The key response.
    public let response: MSLKeyResponseData

    /// The `keyresponsedata` object to send.
    public var keyResponseData: JSONValue { response.json }
}
