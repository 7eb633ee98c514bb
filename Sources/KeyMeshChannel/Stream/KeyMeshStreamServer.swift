// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The server side of a keymesh-profile stream (docs/channel-protocol.md §3–§7).
///
/// `awaitingHello` → (Hello: Cookie-ack) → `awaitingVouch` → (Vouch, policy) → established → closed.
/// The server's long-term key opens the Hello, seals the Cookie-ack and opens the vouch `V`;
/// nothing else.
public struct KeyMeshStreamServer: StreamChannelMachine {
    /// Per-connection secrets, all drawn when the machine is made.
    struct Fresh: Sendable {
        let ephemeral: Curve25519SecretKey
        let stag: [UInt8]
        let cookieNonce: NaClNonce
    }

    struct AwaitingVouch: Sendable {
        let clientEphemeral: Curve25519PublicKey
        let stag: [UInt8]
        let session: NaClBoxKey
    }

    enum Handshake: Sendable {
        case awaitingHello(Fresh)
        case awaitingVouch(AwaitingVouch)
    }

    private var phase: StreamPhase<Handshake, Established>
    private let identity: Curve25519SecretKey
    private let policy: ClientPolicy
    private let maximumMessage: Int

    public init(identity: Curve25519SecretKey, policy: ClientPolicy, maximumMessageSize: Int = 1 << 20,
                random: some RandomSource = SystemRandom()) {
        precondition((0...RecordLayer.maximumMessageCeiling).contains(maximumMessageSize), "maximum message size") // local misuse
        self.identity = identity
        self.policy = policy
        maximumMessage = maximumMessageSize
        phase = .handshaking(.awaitingHello(Fresh(ephemeral: Curve25519SecretKey(using: random),
                                                  stag: random.bytes(count: 32),
                                                  cookieNonce: NaClNonce.random(using: random))))
    }

    public static func frameLength(in bytes: UnsafeRawBufferPointer) throws(SecureChannelError) -> Int? {
        try StreamFrame.length(in: bytes)
    }

    public var isEstablished: Bool { phase.isEstablished }

    public mutating func start() -> [ChannelAction] { [] }

    public mutating func receive(frame: [UInt8]) -> [ChannelAction] {
        do throws(SecureChannelError) {
            switch phase {
            case .handshaking(.awaitingHello(let fresh)):
                let (next, cookieAck) = try answer(hello: frame, fresh)
                phase = .handshaking(.awaitingVouch(next))
                return [.write(cookieAck.frame)]
            case .handshaking(.awaitingVouch(let awaiting)):
                let client = try check(vouch: frame, awaiting)
                var established = Established(
                    records: RecordLayer(key: awaiting.session, isClient: false, maximumMessage: maximumMessage),
                    peerKey: client)
                guard policy.allows(client) else {
                    phase = .closed
                    return established.fail(.clientNotAllowed) // the Vouch checked out: a Close 0x03
                }
                phase = .established(established)
                return [.established(peerKey: client)]
            case .established, .closed:
                return phase.receiveAfterHandshake(frame)
            }
        } catch {
            return phase.failHandshake(error)
        }
    }

    private func answer(hello frame: [UInt8], _ fresh: Fresh) throws(SecureChannelError) -> (AwaitingVouch, CookieAck) {
        let (type, body) = try StreamFrame.parse(frame)
        guard type == .hello else { throw .unexpectedFrame(type: type.rawValue) }
        let hello = try Hello(body: body)
        let ctag = try hello.openTag(serverSecret: identity)
        let session: NaClBoxKey
        do { session = try NaClBoxKey(publicKey: hello.ephemeralKey, secretKey: fresh.ephemeral) } catch {
            throw .authenticationFailed
        }
        let contents = CookieAck.Contents(serverEphemeral: fresh.ephemeral.publicKey, ctag: ctag, stag: fresh.stag)
        let cookieAck = try CookieAck(contents, nonce: fresh.cookieNonce, serverSecret: identity,
                                      clientEphemeral: hello.ephemeralKey)
        return (AwaitingVouch(clientEphemeral: hello.ephemeralKey, stag: fresh.stag, session: session), cookieAck)
    }

    private func check(vouch frame: [UInt8], _ awaiting: AwaitingVouch) throws(SecureChannelError) -> Curve25519PublicKey {
        let (type, body) = try StreamFrame.parse(frame)
        guard type == .vouch else { throw .unexpectedFrame(type: type.rawValue) }
        return try Vouch(body: body).verify(session: awaiting.session, serverSecret: identity,
                                            clientEphemeral: awaiting.clientEphemeral, stag: awaiting.stag)
    }

    public mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction] { try phase.send(message) }

    public mutating func close(_ reason: CloseReason) -> [ChannelAction] { phase.close(reason) }

    public mutating func transportEnded(_ error: SecureChannelError) -> [ChannelAction] { phase.transportEnded(error) }
}
