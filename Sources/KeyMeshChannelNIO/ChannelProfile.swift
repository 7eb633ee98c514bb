// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshChannel

/// Which wire format a stream channel speaks.
public enum ChannelProfile: String, Sendable, CaseIterable {
    /// KeyMesh's own format (docs/channel-protocol.md §2–§8): chunked messages, explicit close.
    case keymesh
    /// jlouis's curve_tun (docs/channel-protocol.md §9), to talk to existing curve_tun peers.
    case curveTun = "curve_tun"
}

/// Settings shared by clients and servers. Every limit here is documented in
/// docs/channel-protocol.md §8 and docs/SECURITY.md ("The secure channel").
public struct ChannelConfiguration: Sendable {
    /// The default idle timeout of an established connection: 5 minutes.
    public static let defaultIdleTimeout: Duration = .seconds(300)
    /// The default bound on handshakes a server runs at once.
    public static let defaultMaximumPendingHandshakes = 1024
    /// The default bound on a server's open connections (handshaking or established).
    public static let defaultMaximumConnections = 4096

    /// The wire format.
    public var profile: ChannelProfile
    /// How long each handshake step may take.
    public var handshakeStepTimeout: Duration
    /// The largest message sent or accepted (keymesh profile; curve_tun is fixed at 65503 bytes).
    public var maximumMessageSize: Int
    /// An established connection with no record in either direction for this long is closed
    /// (keymesh: Close `0x04`; curve_tun: TCP close). `nil` keeps idle connections forever.
    public var idleTimeout: Duration?
    /// Servers: at most this many accepted connections may be handshaking at once; further
    /// connections are closed as soon as they are accepted.
    public var maximumPendingHandshakes: Int
    /// Servers: at most this many connections may be open at once, from accept to close;
    /// further connections are closed as soon as they are accepted.
    public var maximumConnections: Int
    /// curve_tun servers: at most this many accepted client ephemeral keys are remembered to
    /// refuse replays (``CurveTunCookieRing``).
    public var curveTunReplayCapacity: Int

    public init(profile: ChannelProfile = .keymesh, handshakeStepTimeout: Duration = .seconds(5),
                maximumMessageSize: Int = 1 << 20, idleTimeout: Duration? = ChannelConfiguration.defaultIdleTimeout,
                maximumPendingHandshakes: Int = ChannelConfiguration.defaultMaximumPendingHandshakes,
                maximumConnections: Int = ChannelConfiguration.defaultMaximumConnections,
                curveTunReplayCapacity: Int = CurveTunCookieRing.defaultCapacity) {
        self.profile = profile
        self.handshakeStepTimeout = handshakeStepTimeout
        self.maximumMessageSize = maximumMessageSize
        self.idleTimeout = idleTimeout
        self.maximumPendingHandshakes = maximumPendingHandshakes
        self.maximumConnections = maximumConnections
        self.curveTunReplayCapacity = curveTunReplayCapacity
    }
}
