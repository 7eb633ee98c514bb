// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CSodium

/// A `crypto_box` key pair precomputed with `crypto_box_beforenm` (X25519 then HSalsa20): both
/// ends of a box derive the same key, so one value seals and opens in either direction.
///
/// Boxes use libsodium's "easy" layout, `tag(16) ‖ ciphertext`, which is what curve_tun (enacl),
/// Go's `nacl/box` and PyNaCl put on the wire.
public struct NaClBoxKey: Sendable {
    private let key: SecretBytes

    /// Precomputes the key shared by `secretKey` and `publicKey`.
    /// - Throws: ``NaClError/weakKey`` when libsodium refuses the public key (low order).
    public init(publicKey: Curve25519PublicKey, secretKey: Curve25519SecretKey) throws(NaClError) {
        Sodium.initialize()
        var status: Int32 = -1
        let secret = secretKey.unsafeExportSecret()
        key = SecretBytes(count: Int(crypto_box_BEFORENMBYTES)) { out in
            guard let base = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            status = secret.withUnsafePointer { sk in crypto_box_beforenm(base, publicKey.rawRepresentation, sk) }
        }
        if status != 0 { throw .weakKey }
    }

    /// Seals `plaintext` under `nonce` (`crypto_box_easy_afternm`).
    /// - Returns: `tag(16) ‖ ciphertext`, 16 bytes longer than `plaintext`.
    public func seal(_ plaintext: some Collection<UInt8>, nonce: NaClNonce) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: NaCl.macLength)
        out.append(contentsOf: plaintext)
        out.withUnsafeMutableBytes { sealInPlace($0, nonce: nonce) }
        return out
    }

    /// Seals in place: on entry `buffer[16...]` holds the plaintext (the first 16 bytes are
    /// scratch); on return `buffer` holds `tag ‖ ciphertext`. Saves a copy on bulk paths.
    public func sealInPlace(_ buffer: UnsafeMutableRawBufferPointer, nonce: NaClNonce) {
        precondition(buffer.count >= NaCl.macLength, "room for the tag") // local misuse
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        key.withUnsafePointer { k in
            // libsodium allows the plaintext to overlap the ciphertext (in-place encryption).
            _ = crypto_box_easy_afternm(base, base + NaCl.macLength, UInt64(buffer.count - NaCl.macLength),
                                        nonce.bytes, k)
        }
    }

    /// Opens `box` (`tag ‖ ciphertext`) under `nonce` (`crypto_box_open_easy_afternm`).
    /// - Throws: ``NaClError/tooShort`` or ``NaClError/authenticationFailed``.
    public func open(_ box: some Collection<UInt8>, nonce: NaClNonce) throws(NaClError) -> [UInt8] {
        let input = Array(box)
        var result: Result<[UInt8], NaClError> = .failure(.tooShort)
        input.withUnsafeBytes { bytes in result = Result { () throws(NaClError) in try open(bytes, nonce: nonce) } }
        return try result.get()
    }

    /// Opens a box held in `box` without copying it first.
    public func open(_ box: UnsafeRawBufferPointer, nonce: NaClNonce) throws(NaClError) -> [UInt8] {
        guard box.count >= NaCl.macLength, let source = box.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw .tooShort
        }
        let length = box.count - NaCl.macLength
        var ok = false
        // Capacity at least 1, so the buffer has an address even for an empty plaintext.
        let out = [UInt8](unsafeUninitializedCapacity: max(1, length)) { buffer, initialized in
            guard let target = buffer.baseAddress else { return }
            ok = key.withUnsafePointer { k in
                crypto_box_open_easy_afternm(target, source, UInt64(box.count), nonce.bytes, k) == 0
            }
            if !ok { buffer.initialize(repeating: 0) }
            initialized = ok ? length : 0
        }
        guard ok else { throw .authenticationFailed }
        return out
    }
}

extension NaClBoxKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "NaClBoxKey(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
