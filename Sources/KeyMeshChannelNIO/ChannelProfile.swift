// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Which wire format a stream channel speaks.
public enum ChannelProfile: String, Sendable, CaseIterable {
    /// KeyMesh's own format (docs/channel-protocol.md §2–§8): chunked messages, explicit close.
    case keymesh
    /// jlouis's curve_tun (docs/channel-protocol.md §9), to talk to existing curve_tun peers.
    case curveTun = "curve_tun"
}

/// Settings shared by clients and servers.
public struct ChannelConfiguration: Sendable {
    /// The wire format.
    public var profile: ChannelProfile
    /// How long each handshake step may take.
    public var handshakeStepTimeout: Duration
    /// The largest message sent or accepted (keymesh profile; curve_tun is fixed at 65503 bytes).
    public var maximumMessageSize: Int

    public init(profile: ChannelProfile = .keymesh, handshakeStepTimeout: Duration = .seconds(5),
                maximumMessageSize: Int = 1 << 20) {
        self.profile = profile
        self.handshakeStepTimeout = handshakeStepTimeout
        self.maximumMessageSize = maximumMessageSize
    }
}
