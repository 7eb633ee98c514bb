// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

extension OlmAccount {
    /// Starts a session to a device from its Curve25519 identity key and a claimed one-time
    /// (or fallback) key. Verify the key's signature before calling this.
    /// - Throws: ``SessionCreationError/nonContributoryKey`` for a degenerate key.
    public func outboundSession(identityKey theirIdentity: Curve25519PublicKey,
                                oneTimeKey: Curve25519PublicKey) throws(SessionCreationError) -> OlmSession {
        let baseKey = Curve25519SecretKey(using: random)
        let ratchetKey = Curve25519SecretKey(using: random)
        let root: RootKey, chain: ChainKey
        do {
            (root, chain) = try SharedSecret.outbound(identity: identityKey, baseKey: baseKey,
                                                      theirIdentity: theirIdentity, theirOneTimeKey: oneTimeKey)
        } catch { throw .nonContributoryKey }
        let keys = SessionKeys(identityKey: curve25519Key, baseKey: baseKey.publicKey, oneTimeKey: oneTimeKey)
        return OlmSession(sessionKeys: keys,
                          ratchet: .active(ActiveRatchet(root: root, ratchetKey: ratchetKey, chainKey: chain)),
                          receivingChains: [], hasReceivedMessage: false)
    }

    /// Creates the session a pre-key message sets up and decrypts that message.
    ///
    /// The one-time key is removed only after the message authenticates (vodozemac#8: deleting it
    /// earlier turns one corrupt message into a permanently undecryptable session). Fallback keys
    /// are never removed here.
    /// - Parameters:
    ///   - identityKey: the sender's Curve25519 key (`content.sender_key`); must equal the message's.
    ///   - message: a ``OlmMessage/preKey(_:)`` message.
    /// - Returns: the new session and the plaintext.
    /// - Throws: ``SessionCreationError``; the account is unchanged on any error.
    public func inboundSession(identityKey theirIdentity: Curve25519PublicKey,
                               message: OlmMessage) throws(SessionCreationError) -> (OlmSession, [UInt8]) {
        guard case .preKey(let preKey) = message else { throw .notPreKeyMessage }
        guard preKey.identityKey == theirIdentity else { throw .mismatchedIdentityKey }
        return try state.withLock { (state: inout AccountState) throws(SessionCreationError) -> (OlmSession, [UInt8]) in
            let isOneTimeKey: Bool
            let oneTimeSecret: Curve25519SecretKey
            if let secret = state.oneTimeKeys.secret(for: preKey.oneTimeKey) {
                (isOneTimeKey, oneTimeSecret) = (true, secret)
            } else if let secret = state.fallbackKeys.secret(for: preKey.oneTimeKey) {
                (isOneTimeKey, oneTimeSecret) = (false, secret)
            } else {
                throw .missingOneTimeKey(preKey.oneTimeKey)
            }
            let root: RootKey, chain: ChainKey
            do {
                (root, chain) = try SharedSecret.inbound(identity: identityKey, oneTimeKey: oneTimeSecret,
                                                         theirIdentity: theirIdentity, theirBaseKey: preKey.baseKey)
            } catch { throw .nonContributoryKey }
            var session = OlmSession(
                sessionKeys: preKey.sessionKeys,
                ratchet: .inactive(root: root, remoteRatchetKey: preKey.message.ratchetKey),
                receivingChains: [ReceiverChain(ratchetKey: preKey.message.ratchetKey, chainKey: chain)],
                hasReceivedMessage: false)
            let plaintext: [UInt8]
            do throws(DecryptionError) { plaintext = try session.decrypt(message) } catch { throw .decryption(error) }
            if isOneTimeKey { state.oneTimeKeys.remove(preKey.oneTimeKey) }
            return (session, plaintext)
        }
    }
}
