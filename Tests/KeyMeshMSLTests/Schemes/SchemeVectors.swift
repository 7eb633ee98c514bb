// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshTestSupport

/// Vectors/msl-schemes.json, written by Vectors/make_msl_schemes.py with Python's integers,
/// hashlib and `cryptography` (docs/MSL.md §13).
struct SchemeVectors: Decodable {
    struct DH: Decodable {
        let id, p, g, a, b: String
        let requester_public, responder_public, zbytes, kenc, khmac: String
    }

    struct PSK: Decodable {
        let identity, kpe, kph, kpw, kenc, khmac, wrapped_encryptionkey, wrapped_hmackey: String
    }

    struct KeyWrap: Decodable {
        let name, kek, key, wrapped: String
    }

    struct Wrapped: Decodable {
        let encryptionkey, hmackey: String
    }

    struct Negative: Decodable {
        let mechanism, encryptionkey, error: String
    }

    struct RSA: Decodable {
        let private_pkcs8, public_spki, kenc, khmac: String
        let mechanisms: [String: Wrapped]
        let rsa1024_spki, ec_p256_spki, rsa2048_pkcs1_public: String
        let negatives: [Negative]
    }

    let dh_default1: DH
    let dh_group14: DH
    let psk: PSK
    let aes_key_wrap: [KeyWrap]
    let rsa: RSA

    static func load() throws -> SchemeVectors {
        try JSONDecoder().decode(SchemeVectors.self, from: VectorLoader.data("msl-schemes.json", folder: "../Vectors"))
    }
}

extension MSLSessionKeys {
    /// Test keys from hex.
    static func hex(_ enc: String, _ hmac: String) throws -> MSLSessionKeys {
        try MSLSessionKeys(encryptionKey: SecretBytes([UInt8](hex: enc)), hmacKey: SecretBytes([UInt8](hex: hmac)))
    }

    var encHex: String { encryptionKey.unsafeExportSecret().hex }
    var hmacHex: String { hmacKey.unsafeExportSecret().hex }
}

/// The error code `body` throws, or nil if it returns.
func mslCode<T>(_ body: () throws(MSLError) -> T) -> MSLErrorCode? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.code
    }
}
