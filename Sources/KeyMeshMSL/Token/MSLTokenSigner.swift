// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Crypto
import KeyMeshCrypto

/// An issuer's HMAC-SHA256 token key, keyed once (docs/MSL.md §6): each signature or check
/// copies the keyed state instead of padding and hashing the key again, which was a quarter of
/// an issuance (docs/PERFORMANCE.md "MSL"). Still swift-crypto's HMAC. Prints and reflects
/// nothing of the key.
final class MSLTokenSigner: @unchecked Sendable, CustomStringConvertible, CustomReflectable {
    // Immutable after init; every use works on its own copy (copy-on-write digest state).
    private let keyed: HMAC<SHA256>

    init(key: SecretBytes) {
        keyed = key.withUnsafeBytes { HMAC<SHA256>(key: SymmetricKey(data: $0)) }
    }

    /// The raw 32-byte HMAC-SHA256 of `data`.
    func mac(_ data: [UInt8]) -> [UInt8] {
        var hmac = keyed
        hmac.update(data: data)
        return hmac.finalize().withUnsafeBytes { [UInt8]($0) }
    }

    var description: String { "MSLTokenSigner(redacted)" }
    var customMirror: Mirror { Mirror(self, children: [:]) }
}
