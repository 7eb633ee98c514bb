// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Where the key server records the newest MSL master token of each device, so that only the
/// newest token of a lineage can be renewed (docs/MSL.md §7, docs/STORE.md "MSL lineages").
///
/// One record per device (its token identity `USER_ID|DEVICE_ID`, docs/MSL.md §11): a new
/// token for the device replaces the record, so the table holds at most one row per device and
/// the row goes when the device is deleted or logged out (``AccountStore/deleteDevice(_:)``).
/// A device created starts with a record that matches no token (``MSLTokenStamp/none``), so a
/// device id deleted and created again does not accept its earlier incarnation's tokens.
/// The identity is kept and compared as its exact UTF-8 bytes; text holding NUL is refused
/// with ``StoreError/invalidText(_:)``.
public protocol MSLLineageStore: Sendable {
    /// The record of `device` (``MSLTokenStamp/none`` before its first token), or nil if it has
    /// none (a device created before the store kept lineages, or deleted).
    func mslLineage(of device: DeviceRef) async throws -> MSLStoredLineage?

    /// Records `token` as the newest token of `device`, in one transaction bound to the device
    /// existing when it commits: a compare-and-set.
    ///
    /// - With `replacing` (a renewal of that token): succeeds only if the device has no record
    ///   (a token issued by an instance that does not share this store) or its record has the
    ///   same identity bytes and equals `replacing`; otherwise returns false and writes nothing.
    /// - Without (a new token): replaces whatever is recorded and returns true.
    ///
    /// Two renewals of one token racing, in one process or several sharing the database, cannot
    /// both succeed: the second compares against the record the first wrote.
    /// - Throws: ``StoreError/deviceNotFound(_:)`` if `device` does not exist at commit (it was
    ///   deleted or logged out: nothing is written); ``StoreError/invalidText(_:)`` for NUL.
    func commitMSLToken(_ device: DeviceRef, identity: String, token: MSLTokenStamp,
                        replacing: MSLTokenStamp?) async throws -> Bool
}

/// What identifies one master token within its lineage (docs/MSL.md §7: two tokens are the
/// same token when serial number, sequence number and expiration are equal).
public struct MSLTokenStamp: Hashable, Sendable, CustomStringConvertible {
    public let serialNumber: Int64
    public let sequenceNumber: Int64
    /// Seconds since 1970.
    public let expiration: Int64

    public init(serialNumber: Int64, sequenceNumber: Int64, expiration: Int64) {
        self.serialNumber = serialNumber
        self.sequenceNumber = sequenceNumber
        self.expiration = expiration
    }

    /// The record of a device that was never issued a token: no token has a negative serial.
    public static let none = MSLTokenStamp(serialNumber: -1, sequenceNumber: -1, expiration: -1)

    public var description: String { "serial \(serialNumber) sequence \(sequenceNumber) expiration \(expiration)" }
}

/// A device's record: the identity its tokens carry and its newest token.
public struct MSLStoredLineage: Hashable, Sendable {
    /// The token identity as UTF-8 bytes, exactly as committed.
    public let identity: [UInt8]
    public let token: MSLTokenStamp

    public init(identity: [UInt8], token: MSLTokenStamp) {
        self.identity = identity
        self.token = token
    }
}
