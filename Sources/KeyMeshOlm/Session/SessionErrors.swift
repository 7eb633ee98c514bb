// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Why a message could not be decrypted. The session is unchanged after any of these.
public enum DecryptionError: Error, Equatable, Sendable {
    /// The MAC or the padding did not check out (one case: it never says which).
    case authenticationFailure
    /// No key for this index: the message was already decrypted, or its key was dropped.
    case missingMessageKey(index: UInt64)
    /// The message is too far ahead in its chain.
    case tooBigMessageGap(gap: UInt64, limit: UInt64)
    /// A new ratchet key arrived while this session had no sending chain to answer it with
    /// (libolm `OLM_SENDER_CHAIN_NOT_ACKNOWLEDGED`).
    case unexpectedRatchetKey
    /// The peer's ratchet key gave an all-zero X25519 output.
    case nonContributoryKey
}

/// Why a message could not be encrypted. The session is unchanged after this.
public enum EncryptionError: Error, Equatable, Sendable {
    /// The peer's ratchet key gave an all-zero X25519 output.
    case nonContributoryKey
}

/// Why a session could not be created.
public enum SessionCreationError: Error, Equatable, Sendable {
    /// Inbound sessions start only from pre-key (type 0) messages.
    case notPreKeyMessage
    /// The pre-key message's identity key is not the sender key the caller expected.
    case mismatchedIdentityKey
    /// The message names a one-time key this account does not hold (used, evicted or never ours).
    case missingOneTimeKey(Curve25519PublicKey)
    /// A Diffie-Hellman step gave an all-zero output (a malicious or broken key).
    case nonContributoryKey
    /// The first message did not decrypt; no state changed and the one-time key is kept.
    case decryption(DecryptionError)
}
