// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import Testing

extension ScaleOutTests {
    /// A `/sync` long-poll on one instance wakes when another instance stores something for it
    /// (docs/STORE.md "Wake-ups across instances"): a to-device message, a device-list change of
    /// a followed user, a claim of the device's keys. Delays: see ``ScaleOutWake``.
    @Suite("Wake-ups across instances")
    struct Wakeups {
        static let rounds = 8

        @Test("a to-device message sent through A wakes a 30 s long-poll on C within a median of 500 ms", .timeLimit(.minutes(5)))
        func toDeviceWakesOtherInstance() async throws {
            try await ScaleOutCluster.run { cluster in
                let (a, c) = (cluster.ports[0], cluster.ports[2])
                let sender = try await ScaleOutHTTP.register(port: a, "sender")
                let recipient = try await ScaleOutHTTP.register(port: c, "recipient")
                var since = try #require(try await ScaleOutHTTP.sync(port: c, recipient).nextBatch)
                var wakes: [ScaleOutWake] = []
                for round in 0..<Self.rounds {
                    let wake = try await ScaleOutWake.measure(recipient, on: c, since: since) {
                        let reply = try await ScaleOutHTTP.request(port: a, "PUT", "sendToDevice/m.test/wake-\(round)", token: sender.token,
                                                                   json: ["messages": [recipient.userID: [recipient.deviceID: ["round": .int(Int64(round))]]]])
                        try #require(reply.status == 200, "send through A: \(reply.status) \(reply.body)")
                    }
                    let events = wake.reply.toDeviceEvents
                    #expect(events.count == 1, "round \(round): \(events)")
                    #expect(events.first?["content"] == ["round": .int(Int64(round))])
                    #expect(events.first?["sender"]?.stringValue == sender.userID)
                    since = try #require(wake.reply.nextBatch)
                    wakes.append(wake)
                }
                Self.check(wakes, "to-device A→C")
                // acknowledged by the last since: nothing is delivered again, through any instance
                for port in cluster.ports {
                    let again = try await ScaleOutHTTP.sync(port: port, recipient, since: since)
                    #expect(again.toDeviceEvents.isEmpty, "delivered again through \(port): \(again.toDeviceEvents)")
                }
            }
        }

        @Test("a device-list change made through B wakes a follower's long-poll on C; another user's change does not", .timeLimit(.minutes(5)))
        func deviceListChangeWakesFollower() async throws {
            try await ScaleOutCluster.run { cluster in
                let (a, b, c) = (cluster.ports[0], cluster.ports[1], cluster.ports[2])
                let followed = try await ScaleOutHTTP.register(port: b, "followed")
                try await ScaleOutHTTP.uploadKeys(port: b, followed)
                let stranger = try await ScaleOutHTTP.register(port: a, "stranger")
                let follower = try await ScaleOutHTTP.register(port: c, "follower")
                // querying a user's keys follows their device list (docs/SERVER.md "Device lists")
                let query = try await ScaleOutHTTP.request(port: c, "POST", "keys/query", token: follower.token,
                                                           json: ["device_keys": [followed.userID: []]])
                try #require(query.status == 200)
                try #require(query.body["device_keys"]?.objectValue?[followed.userID]?.objectValue?[followed.deviceID] != nil)
                var since = try #require(try await ScaleOutHTTP.sync(port: c, follower).nextBatch)

                var wakes: [ScaleOutWake] = []
                for round in 0..<2 {
                    // a new device logs in through B, then uploads its device keys through B
                    let (login, device) = try await ScaleOutWake.measuring(follower, on: c, since: since) {
                        try await ScaleOutHTTP.login(port: b, followed)
                    }
                    #expect(login.reply.changedUsers == [followed.userID], "login \(round): \(login.reply.body)")
                    since = try #require(login.reply.nextBatch)
                    let upload = try await ScaleOutWake.measure(follower, on: c, since: since) {
                        _ = try await ScaleOutHTTP.uploadKeys(port: b, device)
                    }
                    #expect(upload.reply.changedUsers == [followed.userID], "upload \(round): \(upload.reply.body)")
                    since = try #require(upload.reply.nextBatch)
                    wakes += [login, upload]
                }
                Self.check(wakes, "device list B→C")

                // a user the follower does not follow changes: the long-poll keeps waiting
                let started = ContinuousClock.now
                let last = since
                async let quiet = ScaleOutHTTP.sync(port: c, follower, since: last, timeoutMs: 3000)
                try await Task.sleep(for: .milliseconds(300))
                try await ScaleOutHTTP.uploadKeys(port: b, stranger)
                let reply = try await quiet
                #expect(reply.changedUsers.isEmpty, "\(reply.body)")
                #expect(ContinuousClock.now - started >= .milliseconds(2900), "the long-poll returned early")
            }
        }

        @Test("a claim through A wakes the claimed device's long-poll on B with its new one-time key count", .timeLimit(.minutes(5)))
        func claimWakesClaimedDevice() async throws {
            try await ScaleOutCluster.run { cluster in
                let (a, b) = (cluster.ports[0], cluster.ports[1])
                let owner = try await ScaleOutHTTP.register(port: b, "owner")
                try await ScaleOutHTTP.uploadKeys(port: b, owner, oneTimeKeys: Self.rounds)
                let claimer = try await ScaleOutHTTP.register(port: a, "claimer")
                let first = try await ScaleOutHTTP.sync(port: b, owner)
                #expect(first.signedCurveCount == Int64(Self.rounds))
                var since = try #require(first.nextBatch)
                var wakes: [ScaleOutWake] = []
                for round in 0..<Self.rounds {
                    let wake = try await ScaleOutWake.measure(owner, on: b, since: since) {
                        let reply = try await ScaleOutHTTP.request(port: a, "POST", "keys/claim", token: claimer.token,
                                                                   json: ["one_time_keys": [owner.userID: [owner.deviceID: "signed_curve25519"]]])
                        try #require(reply.status == 200, "claim through A: \(reply.status) \(reply.body)")
                        let keys = reply.body["one_time_keys"]?.objectValue?[owner.userID]?.objectValue?[owner.deviceID]?.objectValue
                        try #require(keys?.count == 1, "claim through A handed out \(String(describing: keys))")
                    }
                    #expect(wake.reply.signedCurveCount == Int64(Self.rounds - round - 1), "round \(round): \(wake.reply.body)")
                    since = try #require(wake.reply.nextBatch)
                    wakes.append(wake)
                }
                Self.check(wakes, "claim A→B")
            }
        }

        /// Every wake-up well within the 30 s timeout, and a median that only the change feed
        /// achieves (the 1 s re-check alone gives about 700 ms; see ``ScaleOutWake``).
        static func check(_ wakes: [ScaleOutWake], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            ScaleOutCluster.logger.notice("scale-out wake-up \(what): \(wakes.summary)")
            #expect(wakes.allSatisfy { $0.fromWrite < .seconds(2) }, "\(what): \(wakes.summary)", sourceLocation: sourceLocation)
            #expect(wakes.medianMilliseconds < 500, "\(what): \(wakes.summary)", sourceLocation: sourceLocation)
        }
    }
}
