// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Access tokens: 32 random bytes, shown to the client once as `km_<base64url>`, stored only as
/// the hex SHA-256 of the token text. A stolen database therefore holds no usable token, and a
/// lookup is an index seek on the hash (no secret is compared byte by byte in our code).
enum AccessToken {
    static func generate(using random: any RandomSource = SystemRandom()) -> String {
        "km_" + randomURLSafe(bytes: 32, using: random)
    }

    /// `bytes` random bytes as unpadded base64url: safe in URLs, headers and JSON unescaped
    /// (tokens, UIA session ids, registration nonces).
    static func randomURLSafe(bytes: Int, using random: any RandomSource = SystemRandom()) -> String {
        String(Base64.encode(random.bytes(count: bytes)).map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    static func hash(_ token: String) -> String {
        Hex.encode(SHA256Digest.hash(Array(token.utf8)))
    }
}
