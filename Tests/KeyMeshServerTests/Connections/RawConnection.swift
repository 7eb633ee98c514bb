// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import NIOCore
import NIOPosix

/// A bare TCP client for the connection-deadline tests: it sends exactly the bytes given (half
/// a header, part of a body) and reports whether the server closed the connection.
enum RawConnection {
    struct Outcome {
        /// The server closed the connection within the time allowed.
        let closed: Bool
        /// Everything the server sent.
        let received: String
    }

    /// Connects to `port`, sends `bytes`, then reads until the server closes or `limit` passes.
    static func send(_ bytes: String, port: Int, limit: Duration = .seconds(15)) async throws -> Outcome {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            do {
                try await outbound.write(ByteBuffer(string: bytes))
            } catch {
                return Outcome(closed: true, received: "")  // closed before the bytes went out
            }
            return try await withThrowingTaskGroup(of: Outcome?.self) { group in
                group.addTask {
                    var received = ""
                    do {
                        for try await chunk in inbound { received += String(buffer: chunk) }
                    } catch {}  // a reset is a close too
                    return Outcome(closed: true, received: received)
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first ?? Outcome(closed: false, received: "")
            }
        }
    }
}
