// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import NIOCore

/// How long a client may take to send, per connection (docs/SECURITY.md "Connections and
/// deadlines"): a slow or silent client (slowloris) holds a connection for at most these.
/// The deadlines bound the client's sending only: a long-polling `/sync` waits its full timeout.
public struct HTTPDeadlines: Sendable, Equatable {
    /// From the first byte of a request to the end of its head (request line and headers).
    public var head: Duration = .seconds(10)
    /// From the end of the head to the end of the body.
    public var body: Duration = .seconds(30)
    /// Between requests: from the end of the last response (or the connection's start) to the
    /// first byte of the next request; also how long a response may wait for the client to read.
    public var idle: Duration = .seconds(60)

    public init() {}

    public init(head: Duration, body: Duration, idle: Duration) {
        self.head = head
        self.body = body
        self.idle = idle
    }
}

/// The deadline state of one connection, a pure state machine driven by what the NIO handlers
/// see (``ConnectionDeadlineHandler``): raw bytes arriving, request heads and ends decoded,
/// response ends written, and the socket becoming unwritable. ``deadline`` is when to close.
struct ConnectionDeadlines {
    /// Where the connection's inbound side is.
    enum Inbound: Equatable {
        /// No byte of the next request yet.
        case betweenRequests
        /// Bytes of a request arrived at `since`, its head is not complete.
        case head(since: NIODeadline)
        /// The head was complete at `since`, the body (possibly empty) is not.
        case body(since: NIODeadline)
    }

    let limits: HTTPDeadlines
    private(set) var inbound = Inbound.betweenRequests
    /// Requests whose response end is not yet written.
    private(set) var unanswered = 0
    /// When the connection last became idle: its start, or the end of the last response.
    private(set) var idleSince: NIODeadline
    /// When writes stalled because the client does not read, if they have.
    private(set) var writeStalledSince: NIODeadline?

    init(limits: HTTPDeadlines, now: NIODeadline) {
        self.limits = limits
        idleSince = now
    }

    /// Bytes arrived from the client.
    mutating func bytesArrived(now: NIODeadline) {
        if inbound == .betweenRequests { inbound = .head(since: now) }
    }

    /// A request head was decoded.
    mutating func headReceived(now: NIODeadline) {
        inbound = .body(since: now)
        unanswered += 1
    }

    /// A request was read to its end.
    mutating func endReceived(now: NIODeadline) {
        inbound = .betweenRequests
        if unanswered == 0 { idleSince = now }  // answered early (413): idle from now on
    }

    /// A response was written to its end.
    mutating func responseEnded(now: NIODeadline) {
        unanswered = max(0, unanswered - 1)
        if unanswered == 0 { idleSince = now }
    }

    /// The socket's send buffer filled (the client stopped reading) or drained.
    mutating func writabilityChanged(isWritable: Bool, now: NIODeadline) {
        writeStalledSince = isWritable ? nil : (writeStalledSince ?? now)
    }

    /// When the connection must be closed, or nil while the server itself is answering.
    var deadline: NIODeadline? {
        var deadlines: [NIODeadline] = []
        switch inbound {
        case .head(let since): deadlines.append(since + TimeAmount(limits.head))
        case .body(let since): deadlines.append(since + TimeAmount(limits.body))
        case .betweenRequests: if unanswered == 0 { deadlines.append(idleSince + TimeAmount(limits.idle)) }
        }
        if let writeStalledSince { deadlines.append(writeStalledSince + TimeAmount(limits.idle)) }
        return deadlines.min()
    }
}
