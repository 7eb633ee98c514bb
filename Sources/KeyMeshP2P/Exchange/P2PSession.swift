// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// An established session (either role, docs/P2P.md §4-§6): seals and opens encrypted
/// messages and counts sequences per direction. Every refusal leaves it unchanged.
public struct P2PSession: Sendable {
    public enum Role: String, Sendable { case initiator, responder }

    /// Open, or closed (after `abort`, a completed exchange or a failure): a closed session
    /// accepts and sends nothing.
    enum State: String, Sendable { case open, closed }

    public let role: Role
    public let purpose: P2PPurpose
    public let localDeviceID, localKeyID, remoteDeviceID, remoteKeyID: String
    /// When the session was established (milliseconds); it lives 10 minutes (docs/P2P.md §10).
    public let createdAt: Int64
    var state: State
    let sendKey: SecretBytes
    let receiveKey: SecretBytes
    let code: String
    /// The last sequence number sent and accepted (the establishment messages are 1).
    public internal(set) var lastSent: UInt64
    public internal(set) var lastReceived: UInt64

    public var isClosed: Bool { state == .closed }

    /// The 5-symbol VCS of docs/P2P.md §7 (both sides compute the same).
    public var vcs: String { code }

    init(role: Role, purpose: P2PPurpose, localDeviceID: String, localKeyID: String, remoteDeviceID: String,
         remoteKeyID: String, createdAt: Int64, keys: P2PSessionKeys) {
        self.role = role
        self.purpose = purpose
        self.localDeviceID = localDeviceID
        self.localKeyID = localKeyID
        self.remoteDeviceID = remoteDeviceID
        self.remoteKeyID = remoteKeyID
        self.createdAt = createdAt
        state = .open
        sendKey = role == .initiator ? keys.initiatorToResponder : keys.responderToInitiator
        receiveKey = role == .initiator ? keys.responderToInitiator : keys.initiatorToResponder
        code = keys.vcs
        lastSent = 1
        lastReceived = 1
    }

    /// Whether `header` belongs to this session: from the remote device and key, to ours.
    public func matches(_ header: P2PHeader) -> Bool {
        header.srcClientID == remoteDeviceID && header.srcKeyID == remoteKeyID
            && header.dstClientID == localDeviceID && header.dstKeyID == localKeyID
    }

    /// Whether the session's lifetime is over at `now`.
    public func isExpired(now: Int64) -> Bool { now >= createdAt &+ P2PProtocol.sessionLifetime }

    /// Encrypts `body` as our next message (sequence = last sent + 1). Sealing `abort` closes the session.
    public mutating func seal(_ type: P2PMessageType, _ body: JSONObject) throws(P2PError) -> P2PMessage {
        guard state == .open else { throw .sessionClosed }
        guard !type.isPlain else { throw .malformed("\(type.rawValue) is not an encrypted type") }
        guard lastSent < P2PProtocol.maxSequence else { throw .sessionClosed }
        let header = P2PHeader(srcClientID: localDeviceID, srcKeyID: localKeyID, dstClientID: remoteDeviceID,
                               dstKeyID: remoteKeyID, sequence: lastSent + 1, type: type)
        var plaintext = try P2PJSON.encode(body)
        defer { SecretBytes.wipe(&plaintext) }
        // The ciphertext grows by the tag and by base64 (4/3): refuse what cannot be sent.
        guard (plaintext.count + P2PCipher.tagLength) / 3 * 4 + 1024 <= P2PProtocol.maxMessageBytes else {
            throw .tooLarge
        }
        let message = P2PMessage(header: header, payload: .ciphertext(try P2PCipher.seal(plaintext, key: sendKey, header: header)))
        lastSent += 1
        if type == .abort { state = .closed }
        return message
    }

    /// Checks ids, the sequence (exactly last received + 1), the lifetime and the tag, and returns
    /// the body. Changes nothing on failure; an accepted `abort` closes the session.
    public mutating func open(_ message: P2PMessage, now: Int64) throws(P2PError) -> JSONObject {
        guard state == .open else { throw .sessionClosed }
        let header = message.header
        guard header.dstClientID == localDeviceID else { throw .wrongRecipient }
        guard matches(header) else { throw .unknownSession }
        guard !isExpired(now: now) else { throw .expired }
        guard case .ciphertext(let sealed) = message.payload, !header.type.isPlain else {
            throw .malformed("\(header.type.rawValue) is not an encrypted message")
        }
        guard header.sequence == lastReceived + 1 else {
            throw .wrongSequence(expected: lastReceived + 1, got: header.sequence)
        }
        var plaintext = try P2PCipher.open(sealed, key: receiveKey, header: header)
        defer { SecretBytes.wipe(&plaintext) }
        let body = try P2PJSON.parseObject(plaintext, what: "plaintext")
        lastReceived = header.sequence
        if header.type == .abort { state = .closed }
        return body
    }

    /// Closes the session: it accepts and sends nothing more.
    public mutating func close() { state = .closed }
}

extension P2PSession: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "P2PSession(\(role.rawValue) \(purpose.rawValue) \(localDeviceID)/\(localKeyID) ↔ "
            + "\(remoteDeviceID)/\(remoteKeyID), \(state.rawValue), keys redacted)"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["role": role, "purpose": purpose, "localDeviceID": localDeviceID,
                                "remoteDeviceID": remoteDeviceID, "state": state], displayStyle: .struct)
    }
}
