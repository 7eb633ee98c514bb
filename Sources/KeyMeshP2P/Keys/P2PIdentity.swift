// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// A device's long-lived P2P identity key (X25519), not its Olm key (docs/P2P.md §3).
public struct P2PIdentity: Sendable {
    let key: Curve25519SecretKey

    /// A fresh identity from 32 bytes of `random`.
    public init(random: some RandomSource) {
        key = Curve25519SecretKey(using: random)
    }

    /// Restores an identity from its 32 secret bytes.
    public init(secret: SecretBytes) throws(P2PError) {
        do { key = try Curve25519SecretKey(secret: secret) } catch {
            throw .malformed("an identity secret is 32 bytes")
        }
    }

    public var publicKey: Curve25519PublicKey { key.publicKey }

    /// The 32 secret bytes, for sealed storage only.
    public func unsafeExportSecret() -> SecretBytes { key.unsafeExportSecret() }
}

extension P2PIdentity: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "P2PIdentity(public: \(publicKey.base64), secret redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey], displayStyle: .struct) }
}
