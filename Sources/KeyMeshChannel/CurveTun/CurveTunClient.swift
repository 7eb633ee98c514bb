// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The client side of the curve_tun profile (docs/channel-protocol.md §9).
/// `idle` → (Hello) → `awaitingCookie` → (Vouch) → `established` → `closed`.
public struct CurveTunClient: StreamChannelMachine {
    struct Handshake: Sendable {
        let ephemeral: Curve25519SecretKey
        let nonceLT: [UInt8]
    }

    enum State: Sendable {
        case idle(Handshake)
        case awaitingCookie(Handshake)
        case established(CurveTunRecords)
        case closed
    }

    private var state: State
    private let identity: Curve25519SecretKey
    private let serverKey: Curve25519PublicKey

    /// The largest message curve_tun carries: 65535 − 32 bytes of packet overhead.
    public static var maximumMessageSize: Int { CurveTunWire.maximumMessage }

    public init(identity: Curve25519SecretKey, serverKey: Curve25519PublicKey, random: some RandomSource = SystemRandom()) {
        self.identity = identity
        self.serverKey = serverKey
        // NonceLT: 16 random bytes stand in for curve_tun's TEA-scrambled counter (unique either way).
        state = .idle(Handshake(ephemeral: Curve25519SecretKey(using: random), nonceLT: random.bytes(count: 16)))
    }

    public static func frameLength(in bytes: UnsafeRawBufferPointer) throws(SecureChannelError) -> Int? {
        try CurveTunWire.frameLength(in: bytes)
    }

    public var isEstablished: Bool {
        switch state {
        case .established: true
        case .idle, .awaitingCookie, .closed: false
        }
    }

    public mutating func start() -> [ChannelAction] {
        switch state {
        case .idle(let handshake):
            do {
                let hello = try CurveTunHello.write(ephemeral: handshake.ephemeral, serverKey: serverKey)
                state = .awaitingCookie(handshake)
                return [.write(hello)]
            } catch {
                state = .closed
                return [.finish(error)]
            }
        case .awaitingCookie, .established, .closed:
            preconditionFailure("start() is called once, first") // local misuse
        }
    }

    public mutating func receive(frame: [UInt8]) -> [ChannelAction] {
        do throws(SecureChannelError) {
            switch state {
            case .awaitingCookie(let handshake):
                let (es, cookie) = try CurveTunCookie.read(frame, clientEphemeral: handshake.ephemeral, serverKey: serverKey)
                let session: NaClBoxKey
                do { session = try NaClBoxKey(publicKey: es, secretKey: handshake.ephemeral) } catch {
                    throw .authenticationFailed
                }
                let vouch = try CurveTunVouch.write(cookie: cookie, client: identity,
                                                    clientEphemeral: handshake.ephemeral.publicKey,
                                                    nonceLT: handshake.nonceLT, serverKey: serverKey, session: session)
                state = .established(CurveTunRecords(key: session, isClient: true))
                return [.write(vouch), .established(peerKey: serverKey)]
            case .established(var records):
                let message = try records.open(frame)
                state = .established(records)
                return [.deliver(message)]
            case .idle:
                throw .unexpectedFrame(type: frame.dropFirst(2).first ?? 0)
            case .closed:
                return []
            }
        } catch {
            state = .closed
            return [.finish(error)]
        }
    }

    public mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction] {
        switch state {
        case .established(var records):
            let frame = try records.seal(message)
            state = .established(records)
            return [.write(frame)]
        case .closed: throw .closed
        case .idle, .awaitingCookie: preconditionFailure("send before the handshake finished") // local misuse
        }
    }

    public mutating func close(_ reason: CloseReason) -> [ChannelAction] {
        switch state {
        case .idle, .awaitingCookie, .established:
            state = .closed
            return [.finish(nil)] // curve_tun has no Close packet: closing TCP is the close
        case .closed:
            return []
        }
    }

    public mutating func transportEnded(_ error: SecureChannelError) -> [ChannelAction] {
        switch state {
        case .established:
            state = .closed
            // curve_tun cannot tell a clean end from a cut connection; EOF is its only close.
            return [.finish(error == .connectionLost ? nil : error)]
        case .idle, .awaitingCookie:
            state = .closed
            return [.finish(error)]
        case .closed:
            return []
        }
    }
}
