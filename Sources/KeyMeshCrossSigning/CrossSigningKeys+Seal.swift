// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Cross-signing secrets at rest: `01 | master seed | self-signing seed | user-signing seed`
/// (3 × 32 bytes), sealed with the caller's ``SealingKey`` under a purpose label that also
/// binds the user id, so sealed keys of one user cannot be opened as another's.
extension CrossSigningKeys {
    static let sealVersion: UInt8 = 1

    /// Why sealed cross-signing keys could not be opened.
    public enum UnsealError: Error, Equatable, Sendable {
        /// Wrong key, wrong user, or corrupted bytes.
        case authenticationFailure
        /// Opened, but not a version-1 body of 97 bytes.
        case malformed
    }

    private static func label(_ userID: String) -> [UInt8] { Array("keymesh.cross-signing.v1:\(userID)".utf8) }

    /// The three secrets sealed under `key`.
    public func sealed(with key: SealingKey) -> [UInt8] {
        var plain = [Self.sealVersion]
        for secret in [master, selfSigning, userSigning] { plain += secret.unsafeExportSecret().unsafeExportSecret() }
        defer { for i in plain.indices { plain[i] = 0 } }  // best effort: the bytes lived in an array
        return key.seal(plain, associatedData: Self.label(userID))
    }

    /// Opens keys sealed by ``sealed(with:)`` for `userID`.
    /// - Throws: ``UnsealError``; never traps on corrupted input.
    public init(sealed: [UInt8], key: SealingKey, userID: String) throws(UnsealError) {
        let plain: SecretBytes
        do { plain = SecretBytes(try key.open(sealed, associatedData: Self.label(userID))) } catch { throw .authenticationFailure }
        guard plain.count == 97, plain.slice(0..<1).unsafeExportSecret() == [Self.sealVersion] else { throw .malformed }
        let seeds = plain.slice(1..<97).split([32, 32, 32])
        do {
            self.init(userID: userID, master: try Ed25519SecretKey(seed: seeds[0]),
                      selfSigning: try Ed25519SecretKey(seed: seeds[1]), userSigning: try Ed25519SecretKey(seed: seeds[2]))
        } catch { throw .malformed }
    }
}
