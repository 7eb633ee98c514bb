// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore
import Testing

/// The cast of the account, event, cross-signing and account-data conformance tests: three
/// registered users with one device each, on a fresh store of any backend.
enum ConformanceFixture {
    static let alice = DeviceRef(userID: "@alice:hs", deviceID: "ALICE")
    static let bob = DeviceRef(userID: "@bob:hs", deviceID: "BOB")
    static let carol = DeviceRef(userID: "@carol:hs", deviceID: "CAROL")

    /// A fresh store where alice, bob and carol are registered (password hash `hash-<device>`)
    /// and have opened their device with token `token-<device>`.
    static func store(_ backend: StoreBackend) async throws -> any ServerStore {
        let store = try await backend.make(devices: [])
        for device in [alice, bob, carol] {
            try await store.createUser(device.userID, passwordHash: "hash-\(device.deviceID)")
            try await store.openDevice(device, displayName: nil, tokenHash: "token-\(device.deviceID)")
        }
        return store
    }

    static func message(_ content: String, from sender: DeviceRef = alice, to recipient: DeviceRef) -> ToDeviceMessage {
        ToDeviceMessage(sender: sender.userID, recipient: recipient, type: "m.test", contentJSON: content)
    }

    /// Sends `messages` as one request of `sender` with transaction id `txn`.
    @discardableResult
    static func send(_ store: any ServerStore, _ messages: [ToDeviceMessage], txn: String, from sender: DeviceRef = alice,
                     limits: StoreLimits = .standard) async throws -> Set<String> {
        try await store.sendToDevice(messages, transaction: ToDeviceTransaction(sender: sender, transactionID: txn), limits: limits)
    }

    /// The contents queued for `device` after `since`, in order.
    static func inbox(_ store: any ServerStore, of device: DeviceRef, since: Int64 = 0) async throws -> [String] {
        try await store.syncBatch(for: device, since: since, limit: 1000).toDevice.map(\.contentJSON)
    }

    /// The device-list changes `userID` hears of since `position`, up to now.
    static func changes(_ store: any ServerStore, for userID: String, since position: Int64) async throws -> [String] {
        try await store.deviceListChanges(for: userID, from: position, to: try await store.currentPosition())
    }

    /// Expects `body` to throw ``StoreError/invalidText(_:)`` (whatever field it names).
    static func expectInvalidText(_ what: Comment, sourceLocation: SourceLocation = #_sourceLocation,
                                  _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("no error for NUL in \(what)", sourceLocation: sourceLocation)
        } catch let error as StoreError {
            guard case .invalidText = error else {
                Issue.record("\(what): expected invalidText, got \(error)", sourceLocation: sourceLocation)
                return
            }
        } catch {
            Issue.record("\(what): expected StoreError.invalidText, got \(error)", sourceLocation: sourceLocation)
        }
    }
}

extension Array where Element == String {
    /// The UTF-8 bytes of each string: what byte-exact comparisons compare (Swift's `==` on
    /// String is Unicode-canonical, so NFC and NFD compare equal).
    var bytes: [[UInt8]] { map { [UInt8]($0.utf8) } }
}
