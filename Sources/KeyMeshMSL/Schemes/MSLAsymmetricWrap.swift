// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import CryptoExtras
import KeyMeshCrypto

/// ASYMMETRIC_WRAPPED key wrapping (docs/MSL.md §5.2): each session key is encrypted separately
/// to the requester's RSA key, by the mechanism's table row.
public enum MSLAsymmetricWrap {
    /// Issuer side: checks the requester's key and wraps both session keys. Exactly two RSA
    /// encryptions, one per key (the JWE mechanisms encrypt a CEK each).
    ///
    /// - Parameters:
    ///   - keys: The session keys to send.
    ///   - mechanism: The request's mechanism.
    ///   - publicKeyDER: The request's `publickey`: an RSA SubjectPublicKeyInfo, 2048 – 8192 bits.
    ///   - random: The source of the JWE CEKs and IVs.
    /// - Returns: The `encryptionkey` and `hmackey` values of the response key data.
    /// - Throws: `UNSUPPORTED_KEYX_MECHANISM` for `ECC`; `INVALID_PUBLIC_KEY` for an unusable key.
    public static func wrap(_ keys: MSLSessionKeys, mechanism: MSLAsymmetricMechanism, publicKeyDER: [UInt8],
                            using random: some RandomSource = SystemRandom())
        throws(MSLError) -> (encryptionKey: [UInt8], hmacKey: [UInt8])
    {
        guard mechanism != .ecc else { throw MSLError(.unsupportedKeyxMechanism, "ECC is not implemented") }
        let key = try MSLRSAPublicKey.parse(publicKeyDER)
        return (try wrap(keys.encryptionKey, role: .encryption, mechanism: mechanism, key: key, random: random),
                try wrap(keys.hmacKey, role: .hmac, mechanism: mechanism, key: key, random: random))
    }

    /// Requester side: unwraps both keys with the exchange's private key.
    ///
    /// - Parameters:
    ///   - encryptionKey: The response's wrapped `encryptionkey`.
    ///   - hmacKey: The response's wrapped `hmackey`.
    ///   - mechanism: The mechanism the request named.
    ///   - privateKey: The request's key pair.
    /// - Returns: The session keys.
    /// - Throws: `CIPHERTEXT_BAD_PADDING` when RSA decryption fails; `SESSION_KEY_CREATION_FAILURE`
    ///   for keys of the wrong size or a JWK that is not a JSON object; `INVALID_JWK`; the JWE
    ///   errors of docs/MSL.md §5.2; `UNSUPPORTED_KEYX_MECHANISM` for `ECC`.
    public static func unwrap(encryptionKey: [UInt8], hmacKey: [UInt8], mechanism: MSLAsymmetricMechanism,
                              privateKey: MSLRSAKeyPair) throws(MSLError) -> MSLSessionKeys {
        guard mechanism != .ecc else { throw MSLError(.unsupportedKeyxMechanism, "ECC is not implemented") }
        let encryption = try unwrap(encryptionKey, role: .encryption, mechanism: mechanism, privateKey: privateKey)
        let hmac = try unwrap(hmacKey, role: .hmac, mechanism: mechanism, privateKey: privateKey)
        return try MSLSessionKeys(encryptionKey: encryption, hmacKey: hmac)
    }

    private static func wrap(_ secret: SecretBytes, role: MSLJWK.Role, mechanism: MSLAsymmetricMechanism,
                             key: _RSA.Encryption.PublicKey, random: some RandomSource) throws(MSLError) -> [UInt8] {
        switch mechanism {
        case .rsa:
            return try secret.withUnsafeBytes { raw throws(MSLError) in
                try MSLRSAPublicKey.encrypt(raw, to: key, padding: .PKCS1_OAEP)
            }
        case .jwkRSA, .jwkRSAES:
            var jwk = MSLJWK.encode(secret, role: role, usage: .keyOps)
            defer { SecretBytes.wipe(&jwk) }
            let padding: _RSA.Encryption.Padding = mechanism == .jwkRSA ? .PKCS1_OAEP : ._WEAK_AND_INSECURE_PKCS_V1_5
            return try MSLRSAPublicKey.encrypt(jwk, to: key, padding: padding)
        case .jweRSA, .jwejsRSA:
            var jwk = MSLJWK.encode(secret, role: role, usage: .use)
            defer { SecretBytes.wipe(&jwk) }
            return try MSLJWE.seal(jwk, to: key, serialization: mechanism == .jweRSA ? .compact : .json, random: random)
        case .ecc:
            throw MSLError(.unsupportedKeyxMechanism, "ECC is not implemented")
        }
    }

    private static func unwrap(_ wrapped: [UInt8], role: MSLJWK.Role, mechanism: MSLAsymmetricMechanism,
                               privateKey: MSLRSAKeyPair) throws(MSLError) -> SecretBytes {
        switch mechanism {
        case .rsa:
            let raw = try privateKey.decrypt(wrapped, padding: .PKCS1_OAEP)
            guard raw.count == role.length else {
                throw MSLError(.sessionKeyCreationFailure, "unwrapped key has \(raw.count) bytes, not \(role.length)")
            }
            return raw
        case .jwkRSA, .jwkRSAES:
            let padding: _RSA.Encryption.Padding = mechanism == .jwkRSA ? .PKCS1_OAEP : ._WEAK_AND_INSECURE_PKCS_V1_5
            var jwk = try privateKey.decrypt(wrapped, padding: padding).unsafeExportSecret()
            defer { SecretBytes.wipe(&jwk) }
            return try MSLJWK.decode(jwk, role: role)
        case .jweRSA, .jwejsRSA:
            // Either serialization is read whatever the mechanism says (docs/MSL.md §5.2).
            var jwk = try MSLJWE.open(wrapped, with: privateKey)
            defer { SecretBytes.wipe(&jwk) }
            return try MSLJWK.decode(jwk, role: role)
        case .ecc:
            throw MSLError(.unsupportedKeyxMechanism, "ECC is not implemented")
        }
    }
}
