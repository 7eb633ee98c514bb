// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshChannel
import KeyMeshCrypto
import NIOCore
import NIOPosix

/// Opens stream channels (TCP).
public enum ChannelClient {
    /// Connects to `host:port`, runs the handshake (each step within the configured timeout),
    /// then runs `body` with the session and closes the channel cleanly when it returns.
    /// - Parameters:
    ///   - serverKey: the server's long-term public key, known beforehand.
    ///   - identity: this client's long-term key; nil for an anonymous client (a fresh key).
    /// - Throws: ``SecureChannelError`` (``SecureChannelError/timeout``, ``SecureChannelError/authenticationFailed``, …)
    ///   or a connection error.
    public static func connect<R: Sendable>(
        host: String, port: Int, serverKey: Curve25519PublicKey, identity: Curve25519SecretKey? = nil,
        configuration: ChannelConfiguration = ChannelConfiguration(),
        _ body: (ChannelSession) async throws -> R
    ) async throws -> R {
        let identity = identity ?? Curve25519SecretKey()
        let pipe = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.nanoseconds(configuration.handshakeStepTimeout.nanoseconds))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    switch configuration.profile {
                    case .keymesh:
                        try ChannelPipe.install(on: channel, machine: KeyMeshStreamClient(
                            identity: identity, serverKey: serverKey, maximumMessageSize: configuration.maximumMessageSize),
                            configuration: configuration)
                    case .curveTun:
                        try ChannelPipe.install(on: channel, machine: CurveTunClient(identity: identity, serverKey: serverKey),
                                                configuration: configuration)
                    }
                }
            }
        return try await pipe.run(body)
    }
}
