// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import CryptoExtras
import KeyMeshCrypto
import KeyMeshMatrixAPI

/// The pre-RFC 7516 JWE that MSL's JWE_RSA and JWEJS_RSA mechanisms write (docs/MSL.md §5.2):
/// a random CEK encrypted with RSA-OAEP (SHA-1), the content with AES-128-GCM over
/// `aad = b64url(header) "." b64url(ecek) "." b64url(IV)`.
enum MSLJWE {
    enum Serialization { case compact, json }

    /// The one header MSL writes and accepts here.
    static let header = #"{"alg":"RSA-OAEP","enc":"A128GCM"}"#
    static let cekLength = 16
    static let ivLength = 12
    static let tagLength = 16

    /// Encrypts `plaintext` to `key`: exactly one RSA encryption (the CEK).
    static func seal(_ plaintext: [UInt8], to key: _RSA.Encryption.PublicKey, serialization: Serialization,
                     random: some RandomSource) throws(MSLError) -> [UInt8] {
        let cek = random.secret(count: cekLength)
        let iv = random.bytes(count: ivLength)
        let ecek = try cek.withUnsafeBytes { raw throws(MSLError) in
            try MSLRSAPublicKey.encrypt(raw, to: key, padding: .PKCS1_OAEP)
        }
        let headerText = MSLBase64URL.encode(Array(header.utf8))
        let ecekText = MSLBase64URL.encode(ecek)
        let ivText = MSLBase64URL.encode(iv)
        let aad = "\(headerText).\(ecekText).\(ivText)"
        let sealed: AES.GCM.SealedBox
        do {
            let symmetric = cek.withUnsafeBytes { SymmetricKey(data: $0) }
            sealed = try AES.GCM.seal(plaintext, using: symmetric, nonce: AES.GCM.Nonce(data: iv),
                                      authenticating: Array(aad.utf8))
        } catch {
            throw MSLError(.wrapError, "AES-GCM encryption failed")
        }
        let ciphertextText = MSLBase64URL.encode(sealed.ciphertext)
        let tagText = MSLBase64URL.encode(sealed.tag)
        switch serialization {
        case .compact:
            return Array("\(aad).\(ciphertextText).\(tagText)".utf8)
        case .json:
            // Every value is base64url text, so nothing needs escaping.
            let recipient = #"{"header":"\#(headerText)","encrypted_key":"\#(ecekText)","#
                + #""integrity_value":"\#(tagText)"}"#
            let top = #""initialization_vector":"\#(ivText)","ciphertext":"\#(ciphertextText)""#
            return Array(#"{"recipients":[\#(recipient)],\#(top)}"#.utf8)
        }
    }

    /// Decrypts either serialization with `keyPair`; the caller wipes the result. Errors
    /// (docs/MSL.md §5.2): parse → `JWE_PARSE_ERROR`; other `alg`/`enc` → `JWE_ALGORITHM_MISMATCH`;
    /// RSA failure → `CIPHERTEXT_BAD_PADDING`; CEK not 16 bytes → `INVALID_SYMMETRIC_KEY`; tag not 16
    /// or IV not 12 bytes → `INVALID_ALGORITHM_PARAMS`; tag check → `UNWRAP_ERROR`.
    static func open(_ data: [UInt8], with keyPair: MSLRSAKeyPair) throws(MSLError) -> [UInt8] {
        let parts = try MSLJWEParts.parse(data)
        try checkHeader(parts.header)
        let cek = try keyPair.decrypt(parts.encryptedKey, padding: .PKCS1_OAEP)
        guard cek.count == cekLength else { throw MSLError(.invalidSymmetricKey, "JWE CEK is not 16 bytes") }
        guard parts.tag.count == tagLength, parts.iv.count == ivLength else {
            throw MSLError(.invalidAlgorithmParams, "JWE tag must be 16 bytes and IV 12")
        }
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: parts.iv), ciphertext: parts.ciphertext,
                                            tag: parts.tag)
            let symmetric = cek.withUnsafeBytes { SymmetricKey(data: $0) }
            var plaintext = try AES.GCM.open(box, using: symmetric, authenticating: parts.additionalData)
            defer { plaintext.resetBytes(in: 0..<plaintext.count) }
            return Array(plaintext)
        } catch {
            throw MSLError(.unwrapError, "JWE integrity check failed")
        }
    }

    /// The header must be a JSON object whose `alg` and `enc` are strings (`JWE_PARSE_ERROR`)
    /// equal to `RSA-OAEP` and `A128GCM` (`JWE_ALGORITHM_MISMATCH`).
    private static func checkHeader(_ bytes: [UInt8]) throws(MSLError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, limits: MSLJWEParts.limits)
        } catch {
            throw MSLError(.jweParseError, "JWE header is not JSON")
        }
        guard let alg = value.objectValue?["alg"]?.stringValue, let enc = value.objectValue?["enc"]?.stringValue else {
            throw MSLError(.jweParseError, "JWE header lacks alg or enc")
        }
        guard alg.utf8.elementsEqual("RSA-OAEP".utf8), enc.utf8.elementsEqual("A128GCM".utf8) else {
            throw MSLError(.jweAlgorithmMismatch, "JWE header is not RSA-OAEP / A128GCM")
        }
    }
}
