// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Admin-registration nonces that store nothing when handed out: hex of
///
/// | bytes | field |
/// |---|---|
/// | 8 | issue time, seconds since 1970, big-endian |
/// | 16 | random |
/// | 16 | HMAC-SHA-256 of the 24 bytes above under a per-process key, truncated |
///
/// so an unauthenticated `GET /_synapse/admin/v1/register` costs no database write (it used to
/// insert a row and sweep the table under the write lock). Only a successful registration
/// records its nonce, to refuse it a second time. The key lives in process memory, like
/// Synapse's nonce table: a nonce is redeemed at the process that issued it (docs/SERVER.md).
struct AdminNonce: Sendable {
    let key: SecretBytes
    /// Seconds a nonce stays good.
    let lifetime: Int64

    init(lifetime: Int64 = 3600, random: some RandomSource = SystemRandom()) {
        key = SecretBytes(randomCount: 32, using: random)
        self.lifetime = lifetime
    }

    func issue(now: Int64, random: some RandomSource = SystemRandom()) -> String {
        let body = Self.bigEndian(now) + random.bytes(count: 16)
        return Hex.encode(body + HMACSHA256.mac(key: key, message: body)[0..<16])
    }

    /// Whether `nonce` was issued here and is still within its lifetime (the MAC is compared
    /// in constant time).
    func isValid(_ nonce: String, now: Int64) -> Bool {
        guard nonce.utf8.count == 80, let bytes = Hex.decode(nonce), bytes.count == 40 else { return false }
        let body = bytes[0..<24]
        guard HMACSHA256.isValid(tag: bytes[24..<40], key: key, message: body) else { return false }
        let issued = body[0..<8].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        return issued <= now + 5 && now - issued < lifetime  // 5 s of clock slack
    }

    private static func bigEndian(_ value: Int64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }
}
