// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The two session keys every MSL key exchange produces (docs/MSL.md §4): an AES-128 key
/// (AES/CBC/PKCS5Padding) and a 32-byte HMAC-SHA256 key. Redacted when printed.
public struct MSLSessionKeys: Sendable, Equatable {
    public static let encryptionKeyLength = 16
    public static let hmacKeyLength = 32

    public let encryptionKey: SecretBytes
    public let hmacKey: SecretBytes

    /// Keys of exactly 16 and 32 bytes, else `SESSION_KEY_CREATION_FAILURE`.
    public init(encryptionKey: SecretBytes, hmacKey: SecretBytes) throws(MSLError) {
        guard encryptionKey.count == Self.encryptionKeyLength, hmacKey.count == Self.hmacKeyLength else {
            throw MSLError(.sessionKeyCreationFailure, "session keys must be 16 and 32 bytes")
        }
        self.encryptionKey = encryptionKey
        self.hmacKey = hmacKey
    }

    /// Fresh random keys (the wrapped schemes, docs/MSL.md §5.2, §5.3).
    public static func random(using random: some RandomSource = SystemRandom()) -> MSLSessionKeys {
        // Lengths are fixed above, so this cannot fail.
        MSLSessionKeys(unchecked: random.secret(count: encryptionKeyLength), random.secret(count: hmacKeyLength))
    }

    private init(unchecked encryptionKey: SecretBytes, _ hmacKey: SecretBytes) {
        self.encryptionKey = encryptionKey
        self.hmacKey = hmacKey
    }
}
