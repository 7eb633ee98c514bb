// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CSodium

/// One-shot `crypto_box_easy` / `crypto_box_open_easy`: for a key pair used once or twice (a
/// handshake box). Repeated traffic between the same keys goes through ``NaClBoxKey``, which
/// does the X25519 once.
public enum NaClBox {
    /// `Box[plaintext](secretKey -> publicKey)` under `nonce`: `tag(16) ‖ ciphertext`.
    /// - Throws: ``NaClError/weakKey`` when libsodium refuses `publicKey`.
    public static func seal(_ plaintext: some Collection<UInt8>, nonce: NaClNonce,
                            to publicKey: Curve25519PublicKey,
                            from secretKey: Curve25519SecretKey) throws(NaClError) -> [UInt8] {
        Sodium.initialize()
        let input = Array(plaintext)
        var out = [UInt8](repeating: 0, count: input.count + NaCl.macLength)
        let status = secretKey.unsafeExportSecret().withUnsafePointer { sk in
            crypto_box_easy(&out, input, UInt64(input.count), nonce.bytes, publicKey.rawRepresentation, sk)
        }
        guard status == 0 else { throw .weakKey }
        return out
    }

    /// Opens `box`, sent by the holder of `publicKey` to the holder of `secretKey`.
    /// - Throws: ``NaClError/tooShort`` or ``NaClError/authenticationFailed`` (which also covers a
    ///   refused low-order key: libsodium does not say which).
    public static func open(_ box: some Collection<UInt8>, nonce: NaClNonce,
                            from publicKey: Curve25519PublicKey,
                            to secretKey: Curve25519SecretKey) throws(NaClError) -> [UInt8] {
        Sodium.initialize()
        let input = Array(box)
        guard input.count >= NaCl.macLength else { throw .tooShort }
        var out = [UInt8](repeating: 0, count: max(1, input.count - NaCl.macLength))
        let status = secretKey.unsafeExportSecret().withUnsafePointer { sk in
            crypto_box_open_easy(&out, input, UInt64(input.count), nonce.bytes, publicKey.rawRepresentation, sk)
        }
        guard status == 0 else { throw .authenticationFailed }
        return Array(out.prefix(input.count - NaCl.macLength))
    }
}
