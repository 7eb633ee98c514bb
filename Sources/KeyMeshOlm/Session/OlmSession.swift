// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// An Olm session (`m.olm.v1.curve25519-aes-sha2`): a double ratchet between two devices,
/// byte-compatible with libolm and vodozemac.
///
/// A value type: the caller owns it and persists it with ``pickle(with:)``. Every operation
/// computes on a copy and commits only after the message authenticates, so a forged, truncated,
/// replayed or wrong-version message leaves the session exactly as it was.
public struct OlmSession: Sendable {
    /// The keys that set the session up; they name it.
    public let sessionKeys: SessionKeys
    var ratchet: DoubleRatchet
    var receivingChains: [ReceiverChain]
    /// Whether anything from the peer has decrypted; until then we send pre-key messages.
    public private(set) var hasReceivedMessage: Bool

    init(sessionKeys: SessionKeys, ratchet: DoubleRatchet, receivingChains: [ReceiverChain],
         hasReceivedMessage: Bool) {
        self.sessionKeys = sessionKeys
        self.ratchet = ratchet
        self.receivingChains = receivingChains
        self.hasReceivedMessage = hasReceivedMessage
    }

    /// The session id, `unpadded_b64(SHA-256(I_A ‖ E_A ‖ E_B))`.
    public var sessionID: String { sessionKeys.sessionID }

    /// Whether `message` sets up this very session (same `I_A`, `E_A`, `E_B`).
    public func matches(_ message: PreKeyMessage) -> Bool { message.sessionKeys == sessionKeys }

    /// Encrypts `plaintext` for the peer: a pre-key message until we have received something.
    /// - Parameter random: the source of a new ratchet key when one is needed.
    /// - Throws: ``EncryptionError/nonContributoryKey`` if the peer's ratchet key is degenerate.
    public mutating func encrypt(_ plaintext: some Collection<UInt8>,
                                 using random: some RandomSource = SystemRandom()) throws(EncryptionError) -> OlmMessage {
        var active: ActiveRatchet
        do { active = try ratchet.activated(using: random) } catch { throw .nonContributoryKey }
        let messageKey: MessageKey
        (messageKey, active.chainKey) = active.chainKey.step
        let cipher = messageKey.cipher
        let message = NormalMessage(ratchetKey: active.ratchetKey.publicKey, chainIndex: messageKey.index,
                                    ciphertext: cipher.encrypt(plaintext), mac: cipher.mac)
        ratchet = .active(active)
        return hasReceivedMessage ? .normal(message) : .preKey(PreKeyMessage(sessionKeys: sessionKeys, message: message))
    }

    /// Decrypts a message from the peer. For a pre-key message only the enclosed message is
    /// used; check ``matches(_:)`` first when choosing among sessions.
    /// - Throws: ``DecryptionError``; the session is unchanged on any error.
    public mutating func decrypt(_ message: OlmMessage) throws(DecryptionError) -> [UInt8] {
        switch message {
        case .preKey(let preKey): try decrypt(preKey.message)
        case .normal(let normal): try decrypt(normal)
        }
    }

    private mutating func decrypt(_ message: NormalMessage) throws(DecryptionError) -> [UInt8] {
        if let position = receivingChains.firstIndex(where: { $0.ratchetKey == message.ratchetKey }) {
            var chain = receivingChains[position]
            let plaintext = try Self.open(message, key: try chain.takeMessageKey(for: message.chainIndex))
            receivingChains[position] = chain  // commit after authentication
            hasReceivedMessage = true
            return plaintext
        }
        let newRatchet: DoubleRatchet
        var chain: ReceiverChain
        switch ratchet {
        case .active(let active):
            do { (newRatchet, chain) = try active.advance(to: message.ratchetKey) } catch {
                throw .nonContributoryKey
            }
        case .inactive:
            throw .unexpectedRatchetKey
        }
        let plaintext = try Self.open(message, key: try chain.takeMessageKey(for: message.chainIndex))
        // commit after authentication: new root, new receiving chain, sending chain dropped
        ratchet = newRatchet
        receivingChains.append(chain)
        if receivingChains.count > OlmLimits.maxReceivingChains { receivingChains.removeFirst() }
        hasReceivedMessage = true
        return plaintext
    }

    /// Checks the MAC (constant time) and only then decrypts.
    private static func open(_ message: NormalMessage, key: MessageKey) throws(DecryptionError) -> [UInt8] {
        let cipher = key.cipher
        guard cipher.isValidMAC(message.mac, for: message.authenticatedBytes) else { throw .authenticationFailure }
        do { return try cipher.decrypt(message.ciphertext) } catch { throw .authenticationFailure }
    }
}

extension OlmSession: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "OlmSession(\(sessionID))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["sessionID": sessionID, "hasReceivedMessage": hasReceivedMessage], displayStyle: .struct)
    }
}
