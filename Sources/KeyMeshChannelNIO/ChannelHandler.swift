// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshChannel
import KeyMeshCrypto
import NIOCore

/// Runs a ``StreamChannelMachine`` on a NIO TCP channel: bytes in are cut into frames and fed
/// to the machine; messages written are sealed by it; its actions become writes, reads, errors
/// and closes. Inbound: `ByteBuffer` → messages `[UInt8]`. Outbound: messages → `ByteBuffer`.
///
/// Bounded (docs/channel-protocol.md §8): the buffer holds at most one frame being collected
/// plus one socket read; once the channel finished (during the linger after a Close or a
/// failure) inbound bytes are discarded, never buffered; an established connection with no
/// record either way for the idle timeout is closed.
final class StreamChannelHandler<Machine: StreamChannelMachine>: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = [UInt8]
    typealias OutboundIn = [UInt8]
    typealias OutboundOut = ByteBuffer

    private var machine: Machine
    private var buffer: ByteBuffer?
    private let stepTimeout: TimeAmount
    private var timer: Scheduled<Void>?
    private let idleTimeout: TimeAmount?
    private var idleTimer: Scheduled<Void>?
    private var lastActivity = NIODeadline.now()
    private let established: EventLoopPromise<Curve25519PublicKey>
    private var finished = false
    /// How long to wait for the peer's close after our Close record (docs/channel-protocol.md §6).
    private static var linger: TimeAmount { .seconds(2) }

    init(machine: Machine, stepTimeout: TimeAmount, idleTimeout: TimeAmount?, established: EventLoopPromise<Curve25519PublicKey>) {
        self.machine = machine
        self.stepTimeout = stepTimeout
        self.idleTimeout = idleTimeout
        self.established = established
    }

    /// The bytes received and not yet cut into frames (tests check it stays bounded).
    var bufferedByteCount: Int { buffer?.readableBytes ?? 0 }
    /// Every byte the transport delivered, kept or discarded.
    private(set) var receivedByteCount = 0

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        idleTimer?.cancel()
        established.fail(SecureChannelError.connectionLost)
    }

    func channelActive(context: ChannelHandlerContext) {
        armTimer(context: context)
        run(machine.start(), context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        receivedByteCount += incoming.readableBytes
        // After a Close or a failure nothing more is read: discard what arrives during the linger.
        guard !finished else { return }
        if buffer == nil { buffer = incoming } else { buffer?.writeBuffer(&incoming) }
        while !finished, var bytes = buffer {
            let length: Int?
            do {
                length = try bytes.withUnsafeReadableBytes { raw throws(SecureChannelError) in try Machine.frameLength(in: raw) }
            } catch {
                run(machine.transportEnded(error), context: context)
                return
            }
            guard let length, let frame = bytes.readBytes(length: length) else { break }
            buffer = bytes.readableBytes == 0 ? nil : bytes
            let wasEstablished = machine.isEstablished
            if wasEstablished { lastActivity = .now() }
            run(machine.receive(frame: frame), context: context)
            if !wasEstablished, !machine.isEstablished, !finished { armTimer(context: context) }
        }
        if let current = buffer, current.readerIndex > 65536 {
            var compacted = current
            compacted.discardReadBytes()
            buffer = compacted
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        idleTimer?.cancel()
        run(machine.transportEnded(.connectionLost), context: context)
        established.fail(SecureChannelError.connectionLost)
        context.fireChannelInactive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        do {
            let actions = try machine.send(unwrapOutboundIn(data))
            lastActivity = .now()
            for action in actions {
                if case .write(let bytes) = action {
                    context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
                }
            }
            // The promise completes with the last frame of the message.
            context.write(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise)
        } catch {
            promise?.fail(error)
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode != .input, !finished, machine.isEstablished else {
            context.close(mode: mode, promise: promise)
            return
        }
        run(machine.close(.normal), context: context, closePromise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is SecureChannelError { context.fireErrorCaught(error); return }
        run(machine.transportEnded(.transport("\(error)")), context: context)
    }

    // MARK: Actions

    private func run(_ actions: [ChannelAction], context: ChannelHandlerContext, closePromise: EventLoopPromise<Void>? = nil) {
        var wrote = false
        for action in actions {
            switch action {
            case .write(let bytes):
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
                wrote = true
            case .established(let key):
                timer?.cancel()
                timer = nil
                lastActivity = .now()
                armIdleTimer(context: context)
                established.succeed(key)
            case .deliver(let message):
                context.fireChannelRead(wrapInboundOut(message))
            case .finish(let error):
                finish(error, context: context, closePromise: closePromise)
                return
            }
        }
        if wrote { context.flush() }
        closePromise?.succeed()
    }

    /// Flushes, half-closes, waits up to ``linger`` for the peer, then closes.
    private func finish(_ error: SecureChannelError?, context: ChannelHandlerContext, closePromise: EventLoopPromise<Void>?) {
        finished = true
        buffer = nil
        timer?.cancel()
        idleTimer?.cancel()
        established.fail(error ?? SecureChannelError.closed)
        if let error { context.fireErrorCaught(error) }
        let channel = context.channel
        let flushed = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0)), promise: flushed)
        flushed.futureResult.whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: Self.linger) { channel.close(promise: nil) }
            channel.closeFuture.whenComplete { _ in closePromise?.succeed() }
        }
    }

    /// Fires at the idle deadline; closes if nothing happened since, else waits for the new deadline.
    private func armIdleTimer(context: ChannelHandlerContext) {
        guard let idleTimeout, !finished else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(deadline: lastActivity + idleTimeout) {
            let (handler, context) = loopBound.value
            guard !handler.finished else { return }
            if NIODeadline.now() - handler.lastActivity >= idleTimeout {
                handler.run(handler.machine.transportEnded(.timeout), context: context)
            } else {
                handler.armIdleTimer(context: context)
            }
        }
    }

    private func armTimer(context: ChannelHandlerContext) {
        timer?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: stepTimeout) {
            let (handler, context) = loopBound.value
            handler.run(handler.machine.transportEnded(.timeout), context: context)
        }
    }
}
