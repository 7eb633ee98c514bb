// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The limits a store enforces inside its write transactions, so that no table a client can
/// grow grows without bound (docs/SECURITY.md "Limits"). The server fills them from
/// `ServerConfig`; ``standard`` holds the documented defaults.
public struct StoreLimits: Hashable, Sendable {
    /// Devices one user may have; opening one more is ``StoreError/limitReached(what:limit:)``.
    public var devicesPerUser: Int
    /// Undelivered to-device messages queued for one device; a send that would queue more is
    /// refused whole with ``StoreError/limitExceeded(what:limit:)`` (nothing queued is dropped).
    public var queuedToDevicePerDevice: Int
    /// Messages one `sendToDevice` call may queue, after `*` is expanded to devices.
    public var toDevicePerRequest: Int
    /// Users one user may follow (by querying their keys); ``StoreError/limitReached(what:limit:)`` beyond.
    public var followsPerUser: Int
    /// To-device transaction ids remembered per sending device (the newest are kept).
    public var transactionIDsPerDevice: Int
    /// Device-list changes kept; older ones are pruned and a `since` before them reports every
    /// followed user as changed (docs/STORE.md "Device-list history").
    public var deviceListHistory: Int

    public init(devicesPerUser: Int = 1000, queuedToDevicePerDevice: Int = 10_000, toDevicePerRequest: Int = 10_000,
                followsPerUser: Int = 10_000, transactionIDsPerDevice: Int = 1000, deviceListHistory: Int = 100_000) {
        self.devicesPerUser = devicesPerUser
        self.queuedToDevicePerDevice = queuedToDevicePerDevice
        self.toDevicePerRequest = toDevicePerRequest
        self.followsPerUser = followsPerUser
        self.transactionIDsPerDevice = transactionIDsPerDevice
        self.deviceListHistory = deviceListHistory
    }

    /// The documented defaults.
    public static let standard = StoreLimits()
}
