// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Where the key server keeps what `/sync` delivers: to-device messages and the device-list
/// stream, both ordered by one **stream position** that grows with every write.
///
/// Positions are allocated inside the write transaction, so a reader that sees position `p`
/// sees every write at or below `p` (sync tokens never skip an event).
public protocol EventStore: Sendable {
    /// The highest position written so far.
    func currentPosition() async throws -> Int64

    /// Queues one message per recipient device (a named device beats `*` in one request), idempotently: if `transaction` was already used
    /// (same access token and txnId) nothing is queued and false is returned. A recipient
    /// device id of `*` means every device the user has at that moment; unknown users and
    /// devices are skipped. Returns the users that got a message.
    func sendToDevice(_ messages: [ToDeviceMessage], transaction: ToDeviceTransaction) async throws -> Set<String>

    /// Deletes the device's messages at or below `position`: the client has acknowledged them
    /// by syncing with a token at least that far.
    func acknowledgeToDevice(_ device: DeviceRef, upTo position: Int64) async throws

    /// Reads what a sync from `since` reports, in one consistent snapshot: at most `limit`
    /// to-device messages after `since`, the users whose device lists changed in
    /// (`since`, `upTo`] among those `device`'s user follows, and the position the batch ends at.
    func syncBatch(for device: DeviceRef, since: Int64, limit: Int) async throws -> SyncBatch

    /// Users followed by `userID` whose device lists changed in (`from`, `to`].
    func deviceListChanges(for userID: String, from: Int64, to: Int64) async throws -> [String]

    /// Records that `watcher` follows `targets`' device lists (it queried their keys).
    func follow(_ watcher: String, targets: [String]) async throws
}

/// One to-device message to queue.
public struct ToDeviceMessage: Hashable, Sendable {
    public let sender: String
    public let recipient: DeviceRef
    public let type: String
    /// The `content` object as JSON.
    public let contentJSON: String

    public init(sender: String, recipient: DeviceRef, type: String, contentJSON: String) {
        self.sender = sender
        self.recipient = recipient
        self.type = type
        self.contentJSON = contentJSON
    }
}

/// The idempotency key of a `PUT /sendToDevice` request: the access token (by hash) and txnId.
public struct ToDeviceTransaction: Hashable, Sendable {
    public let tokenHash: String
    public let transactionID: String

    public init(tokenHash: String, transactionID: String) {
        self.tokenHash = tokenHash
        self.transactionID = transactionID
    }
}

/// A delivered to-device message.
public struct DeliveredMessage: Hashable, Sendable {
    public let position: Int64
    public let sender: String
    public let type: String
    public let contentJSON: String

    public init(position: Int64, sender: String, type: String, contentJSON: String) {
        self.position = position
        self.sender = sender
        self.type = type
        self.contentJSON = contentJSON
    }
}

/// What one sync reports.
public struct SyncBatch: Hashable, Sendable {
    /// Messages in arrival order.
    public let toDevice: [DeliveredMessage]
    /// Followed users (and the syncing user) whose device lists changed.
    public let changedUsers: [String]
    /// Whether some of the device's keys were claimed in the batch (its one-time key count or
    /// unused fallback key types changed, and the client may need to upload more).
    public let keysClaimed: Bool
    /// The position the next sync starts from.
    public let nextPosition: Int64

    public init(toDevice: [DeliveredMessage], changedUsers: [String], keysClaimed: Bool, nextPosition: Int64) {
        self.toDevice = toDevice
        self.changedUsers = changedUsers
        self.keysClaimed = keysClaimed
        self.nextPosition = nextPosition
    }

    /// Whether the batch reports nothing (a long-poll keeps waiting).
    public var isEmpty: Bool { toDevice.isEmpty && changedUsers.isEmpty && !keysClaimed }
}

/// Everything the key server stores, in one backend.
public typealias ServerStore = KeyStore & AccountStore & EventStore & CrossSigningStore
