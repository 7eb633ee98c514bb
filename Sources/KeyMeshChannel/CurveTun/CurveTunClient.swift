// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The client side of the curve_tun profile (docs/channel-protocol.md §9).
/// `idle` → (Hello) → `awaitingCookie` → (Vouch) → established → closed.
public struct CurveTunClient: StreamChannelMachine {
    struct Secrets: Sendable {
        let ephemeral: Curve25519SecretKey
        let nonceLT: [UInt8]
    }

    enum Handshake: Sendable {
        case idle(Secrets)
        case awaitingCookie(Secrets)
    }

    private var phase: StreamPhase<Handshake, CurveTunRecords>
    private let identity: Curve25519SecretKey
    private let serverKey: Curve25519PublicKey

    /// The largest message curve_tun carries: 65535 − 32 bytes of packet overhead.
    public static var maximumMessageSize: Int { CurveTunWire.maximumMessage }

    public init(identity: Curve25519SecretKey, serverKey: Curve25519PublicKey, random: some RandomSource = SystemRandom()) {
        self.identity = identity
        self.serverKey = serverKey
        // NonceLT: 16 random bytes stand in for curve_tun's TEA-scrambled counter (unique either way).
        phase = .handshaking(.idle(Secrets(ephemeral: Curve25519SecretKey(using: random), nonceLT: random.bytes(count: 16))))
    }

    public static func frameLength(in bytes: UnsafeRawBufferPointer) throws(SecureChannelError) -> Int? {
        try CurveTunWire.frameLength(in: bytes)
    }

    public var isEstablished: Bool { phase.isEstablished }

    public mutating func start() -> [ChannelAction] {
        switch phase {
        case .handshaking(.idle(let secrets)):
            do throws(SecureChannelError) {
                let hello = try CurveTunHello.write(ephemeral: secrets.ephemeral, serverKey: serverKey)
                phase = .handshaking(.awaitingCookie(secrets))
                return [.write(hello)]
            } catch {
                return phase.failHandshake(error)
            }
        case .handshaking(.awaitingCookie), .established, .closed:
            preconditionFailure("start() is called once, first") // local misuse
        }
    }

    public mutating func receive(frame: [UInt8]) -> [ChannelAction] {
        switch phase {
        case .handshaking(.awaitingCookie(let secrets)):
            do throws(SecureChannelError) {
                let (es, cookie) = try CurveTunCookie.read(frame, clientEphemeral: secrets.ephemeral, serverKey: serverKey)
                let session: NaClBoxKey
                do { session = try NaClBoxKey(publicKey: es, secretKey: secrets.ephemeral) } catch {
                    throw .authenticationFailed
                }
                let vouch = try CurveTunVouch.write(cookie: cookie, client: identity,
                                                    clientEphemeral: secrets.ephemeral.publicKey,
                                                    nonceLT: secrets.nonceLT, serverKey: serverKey, session: session)
                phase = .established(CurveTunRecords(key: session, isClient: true))
                return [.write(vouch), .established(peerKey: serverKey)]
            } catch {
                return phase.failHandshake(error)
            }
        case .handshaking(.idle):
            return phase.failHandshake(.unexpectedFrame(type: frame.dropFirst(2).first ?? 0))
        case .established, .closed:
            return phase.receiveAfterHandshake(frame)
        }
    }

    public mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction] { try phase.send(message) }

    public mutating func close(_ reason: CloseReason) -> [ChannelAction] { phase.close(reason) }

    public mutating func transportEnded(_ error: SecureChannelError) -> [ChannelAction] { phase.transportEnded(error) }
}
