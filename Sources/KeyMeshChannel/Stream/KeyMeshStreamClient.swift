// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The client side of a keymesh-profile stream (docs/channel-protocol.md §3–§6).
///
/// `idle` → (start: Hello) → `awaitingCookieAck` → (Cookie-ack: Vouch) → established → closed.
public struct KeyMeshStreamClient: StreamChannelMachine {
    /// Per-connection secrets, all drawn when the machine is made.
    struct Secrets: Sendable {
        let ephemeral: Curve25519SecretKey
        let ctag: [UInt8]
        let vouchNonce: NaClNonce
    }

    enum Handshake: Sendable {
        case idle(Secrets)
        case awaitingCookieAck(Secrets)
    }

    private var phase: StreamPhase<Handshake, Established>
    private let identity: Curve25519SecretKey
    private let serverKey: Curve25519PublicKey
    private let maximumMessage: Int

    /// - Parameters:
    ///   - identity: the client's long-term key (a fresh random one for an anonymous client).
    ///   - serverKey: the server's long-term public key, known beforehand.
    ///   - maximumMessageSize: the largest message sent or accepted (1 MiB by default, 16 MiB at most).
    public init(identity: Curve25519SecretKey, serverKey: Curve25519PublicKey,
                maximumMessageSize: Int = 1 << 20, random: some RandomSource = SystemRandom()) {
        precondition((0...RecordLayer.maximumMessageCeiling).contains(maximumMessageSize), "maximum message size") // local misuse
        self.identity = identity
        self.serverKey = serverKey
        maximumMessage = maximumMessageSize
        phase = .handshaking(.idle(Secrets(ephemeral: Curve25519SecretKey(using: random), ctag: random.bytes(count: 32),
                                           vouchNonce: NaClNonce.random(using: random))))
    }

    public static func frameLength(in bytes: UnsafeRawBufferPointer) throws(SecureChannelError) -> Int? {
        try StreamFrame.length(in: bytes)
    }

    public var isEstablished: Bool { phase.isEstablished }

    public mutating func start() -> [ChannelAction] {
        switch phase {
        case .handshaking(.idle(let secrets)):
            do throws(SecureChannelError) {
                let hello = try Hello(ephemeral: secrets.ephemeral, ctag: secrets.ctag, serverKey: serverKey)
                phase = .handshaking(.awaitingCookieAck(secrets))
                return [.write(hello.frame)]
            } catch {
                return phase.failHandshake(error)
            }
        case .handshaking(.awaitingCookieAck), .established, .closed:
            preconditionFailure("start() is called once, first") // local misuse
        }
    }

    public mutating func receive(frame: [UInt8]) -> [ChannelAction] {
        switch phase {
        case .handshaking(.awaitingCookieAck(let secrets)):
            do throws(SecureChannelError) {
                let (established, vouch) = try answer(frame, secrets)
                phase = .established(established)
                return [.write(vouch.frame), .established(peerKey: serverKey)]
            } catch {
                return phase.failHandshake(error)
            }
        case .handshaking(.idle):
            return phase.failHandshake(.unexpectedFrame(type: frame.first ?? 0))
        case .established, .closed:
            return phase.receiveAfterHandshake(frame)
        }
    }

    /// Checks the Cookie-ack and builds the Vouch.
    private func answer(_ frame: [UInt8], _ secrets: Secrets) throws(SecureChannelError) -> (Established, Vouch) {
        let (type, body) = try StreamFrame.parse(frame)
        guard type == .cookieAck else { throw .unexpectedFrame(type: type.rawValue) }
        let contents = try CookieAck(body: body).open(clientEphemeral: secrets.ephemeral, serverKey: serverKey)
        guard ConstantTime.equals(contents.ctag, secrets.ctag) else { throw .authenticationFailed }
        let session: NaClBoxKey
        do { session = try NaClBoxKey(publicKey: contents.serverEphemeral, secretKey: secrets.ephemeral) } catch {
            throw .authenticationFailed
        }
        let vouch = try Vouch(client: identity, clientEphemeral: secrets.ephemeral.publicKey, stag: contents.stag,
                              serverKey: serverKey, vouchNonce: secrets.vouchNonce, session: session)
        let records = RecordLayer(key: session, isClient: true, maximumMessage: maximumMessage)
        return (Established(records: records, peerKey: serverKey), vouch)
    }

    public mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction] { try phase.send(message) }

    public mutating func close(_ reason: CloseReason) -> [ChannelAction] { phase.close(reason) }

    public mutating func transportEnded(_ error: SecureChannelError) -> [ChannelAction] { phase.transportEnded(error) }
}
