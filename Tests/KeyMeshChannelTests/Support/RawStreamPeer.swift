// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshChannel
import NIOCore
import NIOPosix

/// A TCP client that writes bytes it was given and reads raw bytes back: an attacker's socket,
/// or a state machine driven by hand so that the test keeps every frame it wrote.
struct RawStreamPeer {
    typealias Pipe = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// Connects to `127.0.0.1:port` and runs `body` with the inbound and outbound halves.
    static func connect<R: Sendable>(port: Int,
                                     _ body: (NIOAsyncChannelInboundStream<ByteBuffer>, NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> R)
        async throws -> R {
        let pipe = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try Pipe(wrappingChannelSynchronously: channel) }
            }
        return try await pipe.executeThenClose { inbound, outbound in try await body(inbound, outbound) }
    }

    /// Runs `machine` as a client over a new connection until it established and sent `message`,
    /// and the echo came back. - Returns: every frame the client wrote, in order.
    static func recordSession<M: StreamChannelMachine>(_ machine: M, port: Int, message: [UInt8]) async throws -> [[UInt8]] {
        var machine = machine
        var written: [[UInt8]] = []
        return try await connect(port: port) { inbound, outbound in
            func perform(_ actions: [ChannelAction]) async throws -> (established: Bool, delivered: Bool) {
                var result = (established: false, delivered: false)
                for action in actions {
                    switch action {
                    case .write(let frame):
                        written.append(frame)
                        try await outbound.write(ByteBuffer(bytes: frame))
                    case .established: result.established = true
                    case .deliver: result.delivered = true
                    case .finish(let error): throw error ?? SecureChannelError.closed
                    }
                }
                return result
            }
            _ = try await perform(machine.start())
            var buffer: [UInt8] = []
            for try await chunk in inbound {
                buffer += Array(buffer: chunk)
                while let length = try buffer.withUnsafeBytes({ raw throws(SecureChannelError) in try M.frameLength(in: raw) }) {
                    let frame = Array(buffer.prefix(length))
                    buffer.removeFirst(length)
                    let step = try await perform(machine.receive(frame: frame))
                    if step.established { _ = try await perform(try machine.send(message)) }
                    if step.delivered { return written }
                }
            }
            throw SecureChannelError.connectionLost
        }
    }

    /// What a server answered to bytes played at it.
    struct Answer {
        /// Bytes the server sent.
        var received: [UInt8] = []
        /// Whether the server ended the connection (EOF) before sending more than `limit` bytes.
        var closed = false
    }

    /// Writes `frames` on a new connection, then reads until the server closes or has sent more
    /// than `limit` bytes (anything beyond its handshake answer means it accepted the session).
    static func play(_ frames: [[UInt8]], port: Int, limit: Int) async throws -> Answer {
        try await connect(port: port) { inbound, outbound in
            for frame in frames {
                // the server may close as soon as it refuses a frame (a remembered curve_tun key is
                // refused at its Hello): a write that fails then is an end, like a reset
                do { try await outbound.write(ByteBuffer(bytes: frame)) } catch { break }
            }
            var answer = Answer()
            do {
                for try await chunk in inbound {
                    answer.received += Array(buffer: chunk)
                    if answer.received.count > limit { return answer }
                }
            } catch {
                // A reset is an end too.
            }
            answer.closed = true
            return answer
        }
    }
}
