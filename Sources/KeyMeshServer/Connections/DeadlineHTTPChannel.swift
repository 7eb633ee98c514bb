// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with ``ConnectionDeadlineHandler`` first in each
/// connection's pipeline and ``HTTPPartObserver`` after the HTTP decoder.
struct DeadlineHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let deadlines: HTTPDeadlines

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let added = channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionDeadlineHandler(limits: deadlines, logger: logger),
                                                           position: .first)
        }
        return added.flatMap { http1.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with connection deadlines (docs/SECURITY.md "Connections and deadlines").
    static func http1(deadlines: HTTPDeadlines) -> HTTPServerBuilder {
        .init { responder in
            DeadlineHTTPChannel(
                http1: HTTP1Channel(responder: responder,
                                    configuration: .init(additionalChannelHandlers: [HTTPPartObserver()])),
                deadlines: deadlines)
        }
    }
}
