// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CSodium

/// The one source of randomness in KeyMesh. Every key, nonce and IV is drawn through it, so
/// tests can inject a deterministic source (`SeededRandom` in KeyMeshTestSupport).
public protocol RandomSource: Sendable {
    /// Fills `buffer` with random bytes.
    func fill(_ buffer: UnsafeMutableRawBufferPointer)
}

extension RandomSource {
    /// Returns `count` random bytes as a secret.
    public func secret(count: Int) -> SecretBytes { SecretBytes(randomCount: count, using: self) }

    /// Returns `count` random public bytes (nonces, identifiers).
    public func bytes(count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }
}

/// The operating system's CSPRNG, through libsodium's `randombytes_buf`.
public struct SystemRandom: RandomSource {
    /// Creates the system source.
    public init() { Sodium.initialize() }

    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        randombytes_buf(base, buffer.count)
    }
}

/// libsodium initialisation, done once.
enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0
    static func initialize() {
        precondition(initialized, "libsodium failed to initialise") // environment fault, not input
    }
}
