// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// The requester's side of one offer (docs/MSL.md §5): the key request data to send and the
/// private state that completes it. Use each request for one exchange only.
public final class MSLKeyRequest: Sendable {
    private enum Secret: Sendable {
        case diffieHellman(MSLDHKeyPair)
        case asymmetricWrapped(MSLRSAKeyPair)
        case symmetricWrapped(SecretBytes?)
    }

    /// The offer as sent.
    public let requestData: MSLKeyRequestData
    private let secret: Secret

    private init(requestData: MSLKeyRequestData, secret: Secret) {
        self.requestData = requestData
        self.secret = secret
    }

    /// The `keyrequestdata` object to send.
    public var keyRequestData: JSONValue { requestData.json }

    public var scheme: MSLScheme { requestData.scheme }

    /// A fresh DH key pair in `parameters` (§5.1).
    public static func diffieHellman(parameters: MSLDHParameters) throws(MSLError) -> MSLKeyRequest {
        let pair = try MSLDHKeyPair(parameters: parameters)
        return MSLKeyRequest(requestData: .diffieHellman(parametersID: parameters.id, publicValue: pair.publicValue),
                             secret: .diffieHellman(pair))
    }

    /// A fresh 2048-bit RSA key pair for `mechanism` (§5.2).
    public static func asymmetricWrapped(mechanism: MSLAsymmetricMechanism, keyPairID: String = "keymesh") throws(MSLError) -> MSLKeyRequest {
        let pair = try MSLRSAKeyPair()
        return MSLKeyRequest(
            requestData: .asymmetricWrapped(keyPairID: keyPairID, mechanism: mechanism, publicKeyDER: pair.publicKeyDER),
            secret: .asymmetricWrapped(pair))
    }

    /// `PSK` with the entity's pre-shared keys (§5.3); the identity travels in entity
    /// authentication, not in the key data.
    public static func symmetricWrapped(preSharedKey: MSLPreSharedKey) -> MSLKeyRequest {
        MSLKeyRequest(requestData: .symmetricWrapped(keyID: .psk), secret: .symmetricWrapped(preSharedKey.wrappingKey))
    }

    /// `SESSION` (§5.3); an issuer answers it with an error, so it never completes.
    public static func symmetricWrappedSession() -> MSLKeyRequest {
        MSLKeyRequest(requestData: .symmetricWrapped(keyID: .session), secret: .symmetricWrapped(nil))
    }

    /// The session keys from a response to this request.
    /// - Throws: `KEYX_RESPONSE_REQUEST_MISMATCH` for another scheme or echoed id,
    ///   `KEYX_PRIVATE_KEY_MISSING` for `SESSION`, and the scheme's unwrap errors (§5).
    public func complete(_ response: MSLKeyResponseData) throws(MSLError) -> MSLSessionKeys {
        switch (secret, requestData, response.keydata) {
        case (.diffieHellman(let pair), .diffieHellman(let id, _), .diffieHellman(let answered, let value)):
            guard id.mslEquals(answered) else { throw mismatch("parametersid") }
            return try pair.sessionKeys(peerPublicValue: value)
        case (.asymmetricWrapped(let pair), .asymmetricWrapped(let id, let mechanism, _),
              .asymmetricWrapped(let answered, let enc, let mac)):
            guard id.mslEquals(answered) else { throw mismatch("keypairid") }
            return try MSLAsymmetricWrap.unwrap(encryptionKey: enc, hmacKey: mac, mechanism: mechanism, privateKey: pair)
        case (.symmetricWrapped(let wrappingKey), .symmetricWrapped(let id), .symmetricWrapped(let answered, let enc, let mac)):
            guard id == answered else { throw mismatch("keyid") }
            guard let wrappingKey else { throw MSLError(.keyxPrivateKeyMissing, "no wrapping key for SESSION") }
            return try MSLSymmetricWrap.unwrap(encryptionKey: enc, hmacKey: mac, wrappingKey: wrappingKey)
        default:
            throw mismatch("scheme")
        }
    }

    private func mismatch(_ what: String) -> MSLError {
        MSLError(.keyxResponseRequestMismatch, "response \(what) differs from the request")
    }
}

/// The requester's side of a whole exchange (docs/MSL.md §2, §5).
public enum MSLRequester {
    /// Reads `response` and completes it with the first outstanding request it fits.
    /// With `issuerKeys` the token is also verified and decrypted; without, it stays opaque.
    /// - Throws: the response's parse errors, `KEYX_RESPONSE_REQUEST_MISMATCH` when no request
    ///   fits, or the first fitting request's unwrap error.
    public static func complete(response: JSONValue, requests: [MSLKeyRequest], issuerKeys: [MSLIssuerKeys] = [])
        throws(MSLError) -> (keys: MSLSessionKeys, token: MSLMasterToken)
    {
        let parsed = try MSLKeyResponseData.parse(response, issuerKeys: issuerKeys)
        for request in requests where request.scheme == parsed.scheme {
            do {
                return (try request.complete(parsed), parsed.masterToken)
            } catch where error.code == .keyxResponseRequestMismatch {
                continue
            }
        }
        throw MSLError(.keyxResponseRequestMismatch, "no outstanding request fits the response")
    }
}
