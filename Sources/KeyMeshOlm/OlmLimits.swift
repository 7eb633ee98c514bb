// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Bounds on peer-controlled growth, the same as vodozemac's (docs/OLM.md).
public enum OlmLimits {
    /// The largest forward jump in one chain: a message more than this many indices ahead of
    /// the chain is refused (vodozemac `MAX_MESSAGE_GAP`; libolm refuses the same on new chains).
    public static let maxMessageGap: UInt64 = 2000
    /// Skipped message keys kept per receiving chain, only for the indices just below the
    /// message that caused the skip; the oldest goes first (vodozemac `MAX_MESSAGE_KEYS`).
    public static let maxSkippedMessageKeys = 40
    /// Receiving chains kept per session; the oldest goes first (vodozemac `MAX_RECEIVING_CHAINS`).
    public static let maxReceivingChains = 5
    /// One-time keys to keep on the server (vodozemac `max_number_of_one_time_keys`).
    public static let publishedOneTimeKeyTarget = 50
    /// One-time private keys kept in an account; generating beyond this evicts the oldest key
    /// (vodozemac `MAX_ONE_TIME_KEYS` = 100 × 50).
    public static let maxStoredOneTimeKeys = 5000
}
