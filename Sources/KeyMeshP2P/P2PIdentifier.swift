// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Checks and makes the ids of docs/P2P.md §2: user, device and key ids are 1-255 bytes of
/// printable ASCII; a fresh key id is 9 random bytes in unpadded base64url (12 characters).
public enum P2PIdentifier {
    /// Whether `id` is 1-255 bytes of printable ASCII (0x20-0x7E; NUL and controls refused).
    public static func isValid(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 255 else { return false }
        return utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    /// A fresh key id from 9 bytes of `random`.
    public static func makeKeyID(random: some RandomSource) -> String {
        base64url(random.bytes(count: 9))
    }

    /// Unpadded base64url of `bytes`.
    static func base64url(_ bytes: [UInt8]) -> String {
        String(Base64.encode(bytes).map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    /// `id` if valid, else ``P2PError/malformed(_:)`` naming `field`.
    static func checked(_ id: String, field: String) throws(P2PError) -> String {
        guard isValid(id) else { throw .malformed("\(field) is not 1-255 bytes of printable ASCII") }
        return id
    }
}
