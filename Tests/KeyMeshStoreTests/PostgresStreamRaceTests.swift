// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshStore
import KeyMeshTestSupport
import Synchronization
import Testing

/// Stream positions and limits with several writers on one PostgreSQL database, as several
/// `keymesh serve` instances write it (docs/STORE.md "Stream positions"): a reader never skips
/// a position another instance commits later, and limits hold across concurrent transactions.
@Suite("PostgreSQL stream with several writers", .storeCleanup)
struct PostgresStreamRaceTests {
    static var isSkipped: Bool {
        if case .skip = PostgresTestDatabase.availability { return true }
        return false
    }

    static let recipient = DeviceRef(userID: "@bob:hs", deviceID: "BOBDEV")
    static let otherRecipient = DeviceRef(userID: "@bob:hs", deviceID: "PHONE")

    /// Two instances on one fresh database, with `senders` sending devices of `@s:hs`.
    static func instances(senders: Int) async throws -> (stores: [any ServerStore], senders: [DeviceRef]) {
        let stores = try await StoreBackend.postgres.makeShared(instances: 2)
        try await stores[0].createUser("@s:hs", passwordHash: "hash")
        var devices: [DeviceRef] = []
        for n in 0..<senders {
            let device = DeviceRef(userID: "@s:hs", deviceID: "S\(n)")
            try await stores[n % 2].openDevice(device, displayName: nil, tokenHash: "token-S\(n)")
            devices.append(device)
        }
        return (stores, devices)
    }

    @Test("concurrent sends through two instances while a reader syncs: each message once, in position order, none skipped",
          .enabled(if: !isSkipped, "KEYMESH_TEST_POSTGRES is unset: SKIPPED"), .timeLimit(.minutes(5)))
    func noPositionSkipped() async throws {
        let (stores, senders) = try await Self.instances(senders: 8)
        let perSender = 40
        let sent = senders.count * perSender
        let sendersDone = Flag()
        // the reader syncs and acknowledges through both instances in turn until every message
        // came, or until the senders are done and a sync from its token finds nothing more
        let reader = Task { () throws -> [DeliveredMessage] in
            var token: Int64 = 0
            var received: [DeliveredMessage] = []
            var round = 0
            let deadline = ContinuousClock.now + .seconds(240)
            while received.count < sent, ContinuousClock.now < deadline {
                let finished = sendersDone.value.load(ordering: .acquiring)
                let store = stores[round % 2]
                round += 1
                let batch = try await store.syncBatch(for: Self.recipient, since: token, limit: 5)
                received += batch.toDevice
                #expect(batch.nextPosition >= token)
                token = batch.nextPosition
                try await stores[round % 2].acknowledgeToDevice(Self.recipient, upTo: token)
                if batch.toDevice.isEmpty {
                    if finished { break }  // everything committed before this sync began
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            return received
        }
        // writers: each sending device through one instance; every third request also queues
        // for another device, so the reader's device sees positions it has no message at
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, sender) in senders.enumerated() {
                group.addTask {
                    let store = stores[index % 2]
                    for n in 0..<perSender {
                        let content = #"{"s":\#(index),"n":\#(n)}"#
                        let messages = [ToDeviceMessage(sender: sender.userID, recipient: Self.recipient, type: "m.race", contentJSON: content),
                                        ToDeviceMessage(sender: sender.userID, recipient: Self.otherRecipient, type: "m.race", contentJSON: content)]
                        let recipients = try await store.sendToDevice(
                            n % 3 == 0 ? messages : [messages[0]], transaction: ToDeviceTransaction(sender: sender, transactionID: "t\(n)"),
                            limits: .standard)
                        #expect(recipients == [Self.recipient.userID])
                    }
                }
            }
            try await group.waitForAll()
        }
        sendersDone.value.store(true, ordering: .releasing)
        let received = try await reader.value
        let contents = received.map(\.contentJSON)
        let expected = Set(senders.indices.flatMap { index in (0..<perSender).map { #"{"s":\#(index),"n":\#($0)}"# } })
        let missing = expected.subtracting(contents).sorted()
        #expect(missing.isEmpty, "skipped (a position committed after the reader passed it): \(missing)")
        #expect(received.count == sent, "every message delivered once")
        #expect(Set(contents).count == contents.count, "no message delivered twice")
        #expect(Set(contents).isSubset(of: expected))
        let positions = received.map(\.position)
        #expect(zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 }, "positions strictly increasing")
        // nothing left behind for the reader
        let rest = try await stores[0].syncBatch(for: Self.recipient, since: 0, limit: 10)
        #expect(rest.toDevice.isEmpty)
    }

    @Test("the per-device queue limit holds for concurrent senders through two instances",
          .enabled(if: !isSkipped, "KEYMESH_TEST_POSTGRES is unset: SKIPPED"), .timeLimit(.minutes(3)))
    func queueLimitConcurrent() async throws {
        let (stores, senders) = try await Self.instances(senders: 6)
        let limits = StoreLimits(queuedToDevicePerDevice: 7)
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for (index, sender) in senders.enumerated() {
                for n in 0..<4 {
                    group.addTask {
                        let message = ToDeviceMessage(sender: sender.userID, recipient: Self.recipient, type: "m.race", contentJSON: "{}")
                        do {
                            _ = try await stores[(index + n) % 2].sendToDevice(
                                [message], transaction: ToDeviceTransaction(sender: sender, transactionID: "q\(n)"), limits: limits)
                            return true
                        } catch StoreError.limitExceeded(let what, let limit) {
                            #expect(what == "queued to-device messages for @bob:hs BOBDEV" && limit == 7)
                            return false
                        }
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.count == 24)
        #expect(outcomes.filter { $0 }.count == 7)
        #expect(try await stores[1].syncBatch(for: Self.recipient, since: 0, limit: 100).toDevice.count == 7)
    }

    @Test("the account data type limit and the follow limit hold for concurrent writes through two instances",
          .enabled(if: !isSkipped, "KEYMESH_TEST_POSTGRES is unset: SKIPPED"), .timeLimit(.minutes(3)))
    func userLimitsConcurrent() async throws {
        let (stores, senders) = try await Self.instances(senders: 4)
        for n in 0..<12 { try await stores[0].createUser("@t\(n):hs", passwordHash: "hash") }
        let limits = AccountDataLimits(contentBytes: 100, typesPerUser: 5)
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<12 {
                group.addTask {
                    let device = senders[n % senders.count]
                    _ = try? await stores[n % 2].putAccountData(device, type: "m.type\(n)", contentJSON: "{}", limits: limits)
                    _ = try? await stores[(n + 1) % 2].follow(device, targets: ["@t\(n):hs"], limit: 4)
                }
            }
        }
        #expect(try await stores[1].accountData(of: "@s:hs").count == 5)
        var followed = 0
        for n in 0..<12 where try await stores[0].followers(of: "@t\(n):hs") == ["@s:hs"] { followed += 1 }
        #expect(followed == 4)
    }
}

/// A flag one task sets and another reads.
private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
