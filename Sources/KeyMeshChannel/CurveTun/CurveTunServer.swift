// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The server side of the curve_tun profile (docs/channel-protocol.md §9).
/// `awaitingHello` → (Cookie) → `awaitingVouch` → established → closed. Between Cookie and
/// Vouch the server holds no ephemeral secret: it comes back inside the minute-key cookie. It
/// does keep the cookie it issued, and accepts only a Vouch carrying exactly that cookie; the
/// listener's ``CurveTunCookieRing`` refuses a client ephemeral key seen before while a cookie
/// for it can still open. Together they refuse a recorded Hello and Vouch replayed later.
public struct CurveTunServer: StreamChannelMachine {
    enum Handshake: Sendable {
        case awaitingHello
        case awaitingVouch(clientEphemeral: Curve25519PublicKey, cookie: [UInt8])
    }

    private var phase: StreamPhase<Handshake, CurveTunRecords> = .handshaking(.awaitingHello)
    private let identity: Curve25519SecretKey
    private let policy: ClientPolicy
    private let ring: CurveTunCookieRing
    private let random: any RandomSource

    /// - Parameter ring: the listener's minute keys and replay cache, shared by all its connections.
    public init(identity: Curve25519SecretKey, policy: ClientPolicy, ring: CurveTunCookieRing,
                random: some RandomSource = SystemRandom()) {
        self.identity = identity
        self.policy = policy
        self.ring = ring
        self.random = random
    }

    /// A server with a ring of its own holding `minuteKeys` (one connection; tests and vectors).
    public init(identity: Curve25519SecretKey, policy: ClientPolicy, minuteKeys: MinuteKeys,
                random: some RandomSource = SystemRandom()) {
        self.init(identity: identity, policy: policy, ring: CurveTunCookieRing(keys: minuteKeys, random: random),
                  random: random)
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
                // A key already accepted while its cookie lives: a replayed Hello (§9).
                guard !ring.hasAccepted(ec) else { throw .replayedHandshake }
                // SafeNonce: 16 random bytes (curve_tun scrambles a counter; receivers never decode it).
                let (cookieFrame, cookie) = try CurveTunCookie.seal(
                    serverEphemeral: Curve25519SecretKey(using: random), clientEphemeral: ec,
                    safeNonce: random.bytes(count: 16), minuteKey: ring.keys.current, serverSecret: identity)
                phase = .handshaking(.awaitingVouch(clientEphemeral: ec, cookie: cookie))
                return [.write(cookieFrame)]
            case .handshaking(.awaitingVouch(let expected, let cookie)):
                // A cookie other than the one issued here (another connection's, a recorded one) is refused.
                let proven = try CurveTunVouch.read(frame, keys: ring.keys, serverSecret: identity, issued: cookie)
                guard proven.clientEphemeral == expected else { throw .authenticationFailed }
                // Accepted once: a second connection with the same EC is a replay, even if it got this far.
                guard ring.accept(expected) else { throw .replayedHandshake }
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
