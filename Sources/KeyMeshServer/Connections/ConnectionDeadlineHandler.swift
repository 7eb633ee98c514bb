// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow to send (``HTTPDeadlines``). It sits first in
/// the pipeline, before the HTTP decoder, so it sees the first byte of a request head arrive;
/// ``HTTPPartObserver``, after the decoder, tells it where requests and responses begin and end.
/// Hummingbird's own `idleTimeout` cannot do this: it only sees decoded parts, so half a header
/// is never noticed and a body trickled one byte at a time keeps it waiting forever.
final class ConnectionDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var state: ConnectionDeadlines
    private var timer: Scheduled<Void>?
    private var scheduledFor: NIODeadline?
    private var context: ChannelHandlerContext?
    private let logger: Logger

    init(limits: HTTPDeadlines, logger: Logger) {
        state = ConnectionDeadlines(limits: limits, now: .now())
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        update(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if unwrapInboundIn(data).readableBytes > 0 {
            state.bytesArrived(now: .now())
            update(context)
        }
        context.fireChannelRead(data)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        state.writabilityChanged(isWritable: context.channel.isWritable, now: .now())
        update(context)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    // MARK: events from HTTPPartObserver (same event loop)

    func headReceived() { apply { $0.headReceived(now: .now()) } }
    func endReceived() { apply { $0.endReceived(now: .now()) } }
    func responseEnded() { apply { $0.responseEnded(now: .now()) } }

    private func apply(_ change: (inout ConnectionDeadlines) -> Void) {
        change(&state)
        if let context { update(context) }
    }

    /// Keeps one timer at the current deadline.
    private func update(_ context: ChannelHandlerContext) {
        let deadline = state.deadline
        guard deadline != scheduledFor else { return }
        timer?.cancel()
        timer = nil
        scheduledFor = deadline
        guard let deadline else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.fire()
        }
    }

    private func fire() {
        timer = nil
        scheduledFor = nil
        guard let context else { return }
        guard let deadline = state.deadline else { return }
        if deadline <= .now() {
            logger.debug("closing a connection past its deadline",
                         metadata: ["peer": "\(context.channel.remoteAddress?.description ?? "?")", "phase": "\(state.inbound)"])
            context.close(promise: nil)
        } else {
            update(context)
        }
    }
}

/// Reports decoded request heads and ends, and written response ends, to the connection's
/// ``ConnectionDeadlineHandler``; passes every part on unchanged.
final class HTTPPartObserver: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var deadlines: ConnectionDeadlineHandler?

    func handlerAdded(context: ChannelHandlerContext) {
        deadlines = try? context.pipeline.syncOperations.handler(type: ConnectionDeadlineHandler.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: deadlines?.headReceived()
        case .body: break
        case .end: deadlines?.endReceived()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { deadlines?.responseEnded() }
        context.write(data, promise: promise)
    }
}
