// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Why a NaCl box or secret box could not be opened or keyed.
public enum NaClError: Error, Equatable, Sendable {
    /// The box is shorter than its 16-byte Poly1305 tag.
    case tooShort
    /// The tag did not verify: wrong key, wrong nonce, or tampered bytes.
    case authenticationFailed
    /// The X25519 agreement was refused (a low-order public key gives an all-zero secret).
    case weakKey
}

/// Sizes shared by `crypto_box` and `crypto_secretbox` (XSalsa20-Poly1305).
public enum NaCl {
    /// Nonce length in bytes.
    public static let nonceLength = 24
    /// Poly1305 tag length: every box is this much longer than its plaintext.
    public static let macLength = 16
    /// Key length (public, secret, precomputed and secret-box keys).
    public static let keyLength = 32
}

/// A 24-byte NaCl nonce.
public struct NaClNonce: Sendable, Equatable {
    /// The 24 bytes.
    public let bytes: [UInt8]

    /// Wraps exactly 24 bytes; nil otherwise (nonces read off the wire are checked here).
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == NaCl.nonceLength else { return nil }
        self.bytes = Array(bytes)
    }

    /// `prefix ‖ u64be(counter)`: a 16-byte prefix and a big-endian counter (CurveCP's short-term
    /// nonce layout, big-endian as curve_tun and KeyMesh write it).
    public init(prefix: [UInt8], counter: UInt64) {
        precondition(prefix.count == 16, "short-term nonce prefixes are 16 bytes") // local constant
        var bytes = prefix
        bytes.reserveCapacity(24)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: counter >> UInt64(shift))) }
        self.bytes = bytes
    }

    /// `prefix ‖ tail`: an 8-byte prefix and a 16-byte tail (CurveCP's long-term nonce layout).
    public init(prefix8: [UInt8], tail: [UInt8]) {
        precondition(prefix8.count == 8 && tail.count == 16, "long-term nonces are 8 + 16 bytes") // local misuse
        bytes = prefix8 + tail
    }

    /// A random nonce.
    public static func random(using random: some RandomSource = SystemRandom()) -> NaClNonce {
        NaClNonce(unchecked: random.bytes(count: NaCl.nonceLength))
    }

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }
}
