// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import Synchronization

/// An Olm account: a device's Ed25519 and Curve25519 identity keys, its one-time keys and its
/// fallback keys. Creates outbound and inbound ``OlmSession``s.
///
/// A thread-safe reference type (identity keys are immutable; one-time and fallback keys sit
/// behind a lock), so it can be shared with an SDK actor. Persist it with ``pickle(with:)``.
///
/// ```swift
/// let alice = OlmAccount(), bob = OlmAccount()
/// let otk = bob.generateOneTimeKeys(count: 1)[0]
/// var aliceSession = try alice.outboundSession(identityKey: bob.curve25519Key, oneTimeKey: otk)
/// ```
public final class OlmAccount: Sendable {
    let signingKey: Ed25519SecretKey
    let identityKey: Curve25519SecretKey
    let state: Mutex<AccountState>
    let random: any RandomSource

    /// The Ed25519 identity (fingerprint) key; it signs device keys and one-time keys.
    public var ed25519Key: Ed25519PublicKey { signingKey.publicKey }
    /// The Curve25519 identity key `I`.
    public var curve25519Key: Curve25519PublicKey { identityKey.publicKey }

    /// Creates an account with fresh identity keys (Ed25519 first, then Curve25519, as libolm).
    /// - Parameter random: the source for every key this account generates.
    public convenience init(random: some RandomSource = SystemRandom()) {
        self.init(signingKey: Ed25519SecretKey(using: random), identityKey: Curve25519SecretKey(using: random),
                  state: AccountState(), random: random)
    }

    init(signingKey: Ed25519SecretKey, identityKey: Curve25519SecretKey, state: AccountState,
         random: any RandomSource) {
        self.signingKey = signingKey
        self.identityKey = identityKey
        self.state = Mutex(state)
        self.random = random
    }

    /// How many one-time keys a client should keep on the server.
    public var maxNumberOfOneTimeKeys: Int { OlmLimits.publishedOneTimeKeyTarget }

    /// Signs `message` with the Ed25519 identity key.
    public func sign(_ message: some Collection<UInt8>) -> Ed25519Signature { signingKey.signature(for: message) }

    /// Generates `count` one-time keys; beyond ``OlmLimits/maxStoredOneTimeKeys`` the oldest
    /// private keys are evicted.
    /// - Returns: the new public keys, in order.
    @discardableResult
    public func generateOneTimeKeys(count: Int) -> [Curve25519PublicKey] {
        state.withLock { state in
            (0..<max(count, 0)).map { _ in
                let key = state.newKey(using: random)
                state.oneTimeKeys.insert(key)
                return key.secret.publicKey
            }
        }
    }

    /// The one-time keys not yet marked published, by key id.
    public var oneTimeKeys: [String: Curve25519PublicKey] {
        state.withLock { state in
            // ids are unique by construction, but a restored pickle is data: never trap on it
            Dictionary(state.oneTimeKeys.unpublished.map { ($0.keyID, $0.secret.publicKey) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The number of one-time private keys held (published or not).
    public var storedOneTimeKeyCount: Int { state.withLock { $0.oneTimeKeys.keys.count } }

    /// Generates a new fallback key; the current one becomes the previous one and the old
    /// previous one is forgotten.
    /// - Returns: the new fallback public key.
    @discardableResult
    public func generateFallbackKey() -> Curve25519PublicKey {
        state.withLock { state in
            let key = state.newKey(using: random)
            state.fallbackKeys.previous = state.fallbackKeys.current
            state.fallbackKeys.current = key
            return key.secret.publicKey
        }
    }

    /// The current fallback key by key id, if it is not yet marked published.
    public var fallbackKey: [String: Curve25519PublicKey] {
        state.withLock { state in
            guard let current = state.fallbackKeys.current, !current.published else { return [:] }
            return [current.keyID: current.secret.publicKey]
        }
    }

    /// Forgets the previous fallback key once pre-key messages built on it have had time to arrive.
    /// - Returns: whether there was one.
    @discardableResult
    public func forgetPreviousFallbackKey() -> Bool {
        state.withLock { state in
            defer { state.fallbackKeys.previous = nil }
            return state.fallbackKeys.previous != nil
        }
    }

    /// Marks every current one-time key and the fallback key as published.
    public func markKeysAsPublished() {
        state.withLock { state in
            state.oneTimeKeys.markAllPublished()
            state.fallbackKeys.current?.published = true
        }
    }
}

extension OlmAccount: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "OlmAccount(curve25519: \(curve25519Key.base64), ed25519: \(ed25519Key.base64))" }
    public var debugDescription: String { description }
}
