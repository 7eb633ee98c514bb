// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// A sealed, versioned snapshot of an ``OlmAccount`` or ``OlmSession``.
///
/// The state is written in a KeyMesh binary layout (version byte first) and sealed with
/// ChaCha20-Poly1305 under a caller-supplied 32-byte ``SealingKey``, with the kind of object as
/// associated data. It is never plaintext at rest, and it is not libolm's pickle format.
public struct Pickle: Sendable, Equatable {
    /// The sealed bytes: `nonce(12) ‖ ciphertext ‖ tag(16)`.
    public let bytes: [UInt8]

    /// Wraps sealed bytes read back from storage.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Parses unpadded (or padded) base64.
    /// - Throws: ``PickleError/invalidBase64``.
    public init(base64: String) throws(PickleError) {
        do { bytes = try Base64.decode(base64) } catch { throw .invalidBase64 }
    }

    /// Unpadded base64 of the sealed bytes.
    public var base64: String { Base64.encode(bytes) }
}

/// Why a pickle could not be opened.
public enum PickleError: Error, Equatable, Sendable {
    /// The text is not base64.
    case invalidBase64
    /// Wrong key, wrong kind of object, or corrupted bytes (one coarse case).
    case authenticationFailure
    /// A version this build cannot read.
    case unsupportedVersion(UInt8)
    /// The sealed state is internally inconsistent (only possible with the right key).
    case malformed
}

/// What a pickle holds; its label is the sealing's associated data.
enum PickleKind {
    case account, session

    var associatedData: [UInt8] {
        switch self {
        case .account: Array("KeyMesh.OlmAccount".utf8)
        case .session: Array("KeyMesh.OlmSession".utf8)
        }
    }
}

extension SealingKey {
    func seal(_ state: inout [UInt8], kind: PickleKind, random: some RandomSource) -> Pickle {
        defer { state.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        return Pickle(bytes: seal(state, associatedData: kind.associatedData, using: random))
    }

    func open(_ pickle: Pickle, kind: PickleKind) throws(PickleError) -> [UInt8] {
        do { return try open(pickle.bytes, associatedData: kind.associatedData) } catch {
            throw .authenticationFailure
        }
    }
}
