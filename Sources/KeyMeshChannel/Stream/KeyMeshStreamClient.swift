// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The client side of a keymesh-profile stream (docs/channel-protocol.md §3–§6).
///
/// `idle` → (start: Hello) → `awaitingCookieAck` → (Cookie-ack: Vouch) → `established` → `closed`.
public struct KeyMeshStreamClient: StreamChannelMachine {
    /// Per-connection secrets, all drawn when the machine is made.
    struct Handshake: Sendable {
        let ephemeral: Curve25519SecretKey
        let ctag: [UInt8]
        let vouchNonce: NaClNonce
    }

    enum State: Sendable {
        case idle(Handshake)
        case awaitingCookieAck(Handshake)
        case established(Established)
        case closed
    }

    private var state: State
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
        state = .idle(Handshake(ephemeral: Curve25519SecretKey(using: random), ctag: random.bytes(count: 32),
                                vouchNonce: NaClNonce.random(using: random)))
    }

    public static func frameLength(in bytes: UnsafeRawBufferPointer) throws(SecureChannelError) -> Int? {
        try StreamFrame.length(in: bytes)
    }

    public var isEstablished: Bool {
        switch state {
        case .established: true
        case .idle, .awaitingCookieAck, .closed: false
        }
    }

    public mutating func start() -> [ChannelAction] {
        switch state {
        case .idle(let handshake):
            do throws(SecureChannelError) {
                let hello = try Hello(ephemeral: handshake.ephemeral, ctag: handshake.ctag, serverKey: serverKey)
                state = .awaitingCookieAck(handshake)
                return [.write(hello.frame)]
            } catch {
                state = .closed
                return [.finish(error)]
            }
        case .awaitingCookieAck, .established, .closed:
            preconditionFailure("start() is called once, first") // local misuse
        }
    }

    public mutating func receive(frame: [UInt8]) -> [ChannelAction] {
        switch state {
        case .awaitingCookieAck(let handshake):
            do throws(SecureChannelError) {
                let (established, vouch) = try answer(frame, handshake)
                state = .established(established)
                return [.write(vouch.frame), .established(peerKey: serverKey)]
            } catch {
                state = .closed
                return [.finish(error)]
            }
        case .established(var established):
            let (actions, ended) = established.receive(frame)
            state = ended ? .closed : .established(established)
            return actions
        case .idle:
            state = .closed
            return [.finish(.unexpectedFrame(type: frame.first ?? 0))]
        case .closed:
            return []
        }
    }

    /// Checks the Cookie-ack and builds the Vouch.
    private func answer(_ frame: [UInt8], _ handshake: Handshake) throws(SecureChannelError) -> (Established, Vouch) {
        let (type, body) = try StreamFrame.parse(frame)
        guard type == .cookieAck else { throw .unexpectedFrame(type: type.rawValue) }
        let contents = try CookieAck(body: body).open(clientEphemeral: handshake.ephemeral, serverKey: serverKey)
        guard ConstantTime.equals(contents.ctag, handshake.ctag) else { throw .authenticationFailed }
        let session: NaClBoxKey
        do { session = try NaClBoxKey(publicKey: contents.serverEphemeral, secretKey: handshake.ephemeral) } catch {
            throw .authenticationFailed
        }
        let vouch = try Vouch(client: identity, clientEphemeral: handshake.ephemeral.publicKey, stag: contents.stag,
                              serverKey: serverKey, vouchNonce: handshake.vouchNonce, session: session)
        let records = RecordLayer(key: session, isClient: true, maximumMessage: maximumMessage)
        return (Established(records: records, peerKey: serverKey), vouch)
    }

    public mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction] {
        switch state {
        case .established(var established):
            let actions = try established.send(message)
            state = .established(established)
            return actions
        case .closed: throw .closed
        case .idle, .awaitingCookieAck: preconditionFailure("send before the handshake finished") // local misuse
        }
    }

    public mutating func close(_ reason: CloseReason) -> [ChannelAction] {
        switch state {
        case .established(var established):
            state = .closed
            return established.close(reason)
        case .idle, .awaitingCookieAck:
            state = .closed
            return [.finish(nil)]
        case .closed:
            return []
        }
    }

    public mutating func transportEnded(_ error: SecureChannelError) -> [ChannelAction] {
        switch state {
        case .established(var established) where error.closeReason != .normal:
            state = .closed
            return established.fail(error)
        case .idle, .awaitingCookieAck, .established:
            state = .closed
            return [.finish(error)]
        case .closed:
            return []
        }
    }
}
