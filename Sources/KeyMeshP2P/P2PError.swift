// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Every way a P2P message, record, body or code is refused (docs/P2P.md §10).
/// A refusal changes no state; the associated strings never carry secrets.
public enum P2PError: Error, Equatable, Sendable {
    /// Not a valid message, record or body (what is wrong, no secrets).
    case malformed(String)
    /// More than 64 KiB of JSON (docs/P2P.md §4).
    case tooLarge
    case unknownType(String)
    /// `dstclientid` is not us (the SDK checks the sender's user id).
    case wrongRecipient
    case unknownSession
    case wrongSequence(expected: UInt64, got: UInt64)
    case sessionClosed
    /// AEAD tag, SessionVerifier or record signature.
    case authenticationFailure
    /// The responder's `dstkey` does not hash to the nominated digest.
    case digestMismatch
    /// Responder: no such unexpired, unconsumed key, or its digest differs.
    case ephemeralKeyMismatch
    /// A Diffie-Hellman result was all zero (docs/P2P.md §6).
    case lowOrderKey
    case expired
    /// The typed code is not 10 symbols of the alphabet (docs/P2P.md §7).
    case codeFormat
    /// The VCS matches no session.
    case codeMismatch
    /// The VCM is wrong (authoriser side).
    case wrongCode
    /// A grant or rotation body fails its checks (docs/P2P.md §8/§9).
    case badGrant(String)
}
