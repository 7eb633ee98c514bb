// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The server side of the curve_tun profile (docs/channel-protocol.md §9).
/// `awaitingHello` → (Cookie) → `awaitingVouch` → established → closed. Between Cookie and
/// Vouch the server holds no ephemeral secret: it comes back inside the minute-key cookie.
public struct CurveTunServer: StreamChannelMachine {
    enum Handshake: Sendable {
        case awaitingHello
        case awaitingVouch(clientEphemeral: Curve25519PublicKey)
    }

    private var phase: StreamPhase<Handshake, CurveTunRecords> = .handshaking(.awaitingHello)
    private let identity: Curve25519SecretKey
    private let policy: ClientPolicy
    private let minuteKeys: MinuteKeys
    private let random: any RandomSource

    /// - Parameter minuteKeys: the server's cookie keys now (rotated every 60 s by the listener).
    public init(identity: Curve25519SecretKey, policy: ClientPolicy, minuteKeys: MinuteKeys,
                random: some RandomSource = SystemRandom()) {
        self.identity = identity
        self.policy = policy
        self.minuteKeys = minuteKeys
        self.random = random
    }

    public static func frameLength(in bytes: UnsafeRawBufferPointer) throws(SecureChannelError) -> Int? {
        try CurveTunWire.frameLength(in: bytes)
    }

    public var isEstablished: Bool { phase.isEstablished }

    public mutating func start() -> [ChannelAction] { [] }

    public mutating func receive(frame: [UInt8]) -> [ChannelAction] {
        do throws(SecureChannelError) {
            switch phase {
            case .handshaking(.awaitingHello):
                let ec = try CurveTunHello.read(frame, serverSecret: identity)
                // SafeNonce: 16 random bytes (curve_tun scrambles a counter; receivers never decode it).
                let cookie = try CurveTunCookie.write(serverEphemeral: Curve25519SecretKey(using: random),
                                                      clientEphemeral: ec, safeNonce: random.bytes(count: 16),
                                                      minuteKey: minuteKeys.current, serverSecret: identity)
                phase = .handshaking(.awaitingVouch(clientEphemeral: ec))
                return [.write(cookie)]
            case .handshaking(.awaitingVouch(let expected)):
                let proven = try CurveTunVouch.read(frame, keys: minuteKeys, serverSecret: identity)
                // A cookie made for another connection's Hello is refused here.
                guard proven.clientEphemeral == expected else { throw .authenticationFailed }
                guard policy.allows(proven.client) else { throw .clientNotAllowed } // no Close packet in curve_tun
                phase = .established(CurveTunRecords(key: proven.session, isClient: false))
                return [.established(peerKey: proven.client)]
            case .established, .closed:
                return phase.receiveAfterHandshake(frame)
            }
        } catch {
            return phase.failHandshake(error)
        }
    }

    public mutating func send(_ message: [UInt8]) throws(SecureChannelError) -> [ChannelAction] { try phase.send(message) }

    public mutating func close(_ reason: CloseReason) -> [ChannelAction] { phase.close(reason) }

    public mutating func transportEnded(_ error: SecureChannelError) -> [ChannelAction] { phase.transportEnded(error) }
}
