// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CSodium

/// `crypto_secretbox` (XSalsa20-Poly1305) under a 32-byte key, in the easy layout
/// `tag(16) ‖ ciphertext`.
public struct NaClSecretBox: Sendable {
    private let key: SecretBytes

    /// Wraps a 32-byte key; nil for any other length.
    public init?(key: SecretBytes) {
        guard key.count == NaCl.keyLength else { return nil }
        Sodium.initialize()
        self.key = key
    }

    /// A fresh random key.
    public init(using random: some RandomSource = SystemRandom()) {
        Sodium.initialize()
        key = random.secret(count: NaCl.keyLength)
    }

    /// Seals `plaintext` under `nonce`.
    public func seal(_ plaintext: some Collection<UInt8>, nonce: NaClNonce) -> [UInt8] {
        let input = Array(plaintext)
        var out = [UInt8](repeating: 0, count: input.count + NaCl.macLength)
        key.withUnsafePointer { k in _ = crypto_secretbox_easy(&out, input, UInt64(input.count), nonce.bytes, k) }
        return out
    }

    /// Opens `box` under `nonce`.
    /// - Throws: ``NaClError/tooShort`` or ``NaClError/authenticationFailed``.
    public func open(_ box: some Collection<UInt8>, nonce: NaClNonce) throws(NaClError) -> [UInt8] {
        let input = Array(box)
        guard input.count >= NaCl.macLength else { throw .tooShort }
        var out = [UInt8](repeating: 0, count: max(1, input.count - NaCl.macLength))
        let ok = key.withUnsafePointer { k in
            crypto_secretbox_open_easy(&out, input, UInt64(input.count), nonce.bytes, k) == 0
        }
        guard ok else { throw .authenticationFailed }
        return Array(out.prefix(input.count - NaCl.macLength))
    }
}

extension NaClSecretBox: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "NaClSecretBox(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
