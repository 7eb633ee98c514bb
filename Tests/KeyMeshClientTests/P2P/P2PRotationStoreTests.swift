// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P
import Testing

@testable import KeyMeshClient

/// Key rotation as the issue asks it to be measured (docs/P2P.md §3): after 30 exchanges the
/// pool still publishes 10 digests, a consumed key is never accepted again, and no consumed
/// secret is left in the device's store.
@Suite("KeyMeshClient: the P2P pool rotates and forgets consumed keys")
struct P2PRotationStoreTests {
    @Test("30 exchanges: 10 digests published, consumed keys refused and gone from the store")
    func thirtyExchanges() async throws {
        try await LiveServer.run { url in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-p2p-store-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let storeKey = SealingKey()
            let path = folder + "/responder.sqlite"
            let responder = try KeyMeshClient(homeserver: url, store: try ClientStore(.sqlite(path: path), key: storeKey))
            try await responder.register(username: "alice", password: "pw-a")
            try await responder.publishKeys()
            try await responder.bootstrapCrossSigning(password: "pw-a")
            let initiator = try KeyMeshClient(homeserver: url)
            try await initiator.login(username: "alice", password: "pw-a")
            try await initiator.publishKeys()
            let responderID = try await responder.identity().deviceID
            let responderDevice = try #require(try await initiator.devices(of: "@alice:localhost").first { $0.deviceID == responderID })

            var consumedSecrets: [String] = []
            var consumedIDs = Set<String>()
            var firstRequest: JSONObject?
            for round in 0..<30 {
                let before = Self.poolSecrets(await responder.state.p2p.pool)
                #expect(before.count == P2PKeyPool.size)
                #expect(try await initiator.exclusively { try await initiator.startExchange(with: responderDevice, purpose: .rotation) })
                let nominated = try #require(await initiator.state.p2p.outgoing.last?.initiator.nominated.id)
                #expect(!consumedIDs.contains(nominated), "round \(round) nominated a consumed key")
                if firstRequest == nil { firstRequest = try await Self.queuedRequest(responder) }
                // the responder answers as it syncs (a rotation request needs no person)
                _ = try await responder.sync()
                _ = try await initiator.sync()
                #expect(await initiator.state.p2p.outgoing.isEmpty, "round \(round): no answer")
                let after = await responder.state.p2p.pool
                #expect(after.entries.count == P2PKeyPool.size)
                #expect(!after.entries.contains { $0.id == nominated })
                consumedIDs.insert(nominated)
                consumedSecrets.append(try #require(before[nominated]))
            }
            #expect(consumedIDs.count == 30)

            // the published record holds 10 digests, none of a consumed key
            let record = try #require(try await initiator.poolRecord(of: responderDevice))
            #expect(record.keys.count == 10)
            #expect(Set(record.keys.map(\.id)).isDisjoint(with: consumedIDs))

            // a replayed request nominating a consumed key is answered "mismatch": no session, pool unchanged
            let sessionsBefore = await responder.state.p2p.sessions.count
            let poolBefore = await responder.state.p2p.pool.entries
            let me = try await responder.identity()
            try await responder.exclusively { try await responder.handleP2P([(me.userID, try #require(firstRequest))]) }
            #expect(await responder.state.p2p.sessions.count <= sessionsBefore)
            #expect(await responder.state.p2p.pool.entries == poolBefore)

            // no consumed secret anywhere: not in the unsealed state, not in the database file
            let state = try CanonicalJSON.encode(.object(await responder.state.p2p.encoded()))
            let file = try Data(contentsOf: URL(fileURLWithPath: path))
            let wal = (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
            for secret in consumedSecrets {
                let raw = try Base64.decode(secret)
                #expect(!String(decoding: state, as: UTF8.self).contains(secret))
                #expect(file.range(of: Data(raw)) == nil && wal.range(of: Data(raw)) == nil)
                #expect(file.range(of: Data(secret.utf8)) == nil && wal.range(of: Data(secret.utf8)) == nil)
            }
        }
    }

    /// Pool key id → secret (base64), from the pool's storage form.
    static func poolSecrets(_ pool: P2PKeyPool) -> [String: String] {
        var secrets: [String: String] = [:]
        for item in pool.encoded()["keys"]?.arrayValue ?? [] {
            if let id = item.objectValue?["id"]?.stringValue, let secret = item.objectValue?["secret"]?.stringValue { secrets[id] = secret }
        }
        return secrets
    }

    /// The P2P request waiting for `client` on the server, without consuming it.
    static func queuedRequest(_ client: KeyMeshClient) async throws -> JSONObject? {
        let session = try await client.requireSession()
        var query: [String: String] = [:]
        if let since = await client.state.nextBatch { query["since"] = since }
        let answer = try await client.connection.call("GET", "sync", token: session.accessToken, query: query)
        return answer["to_device"]?.objectValue?["events"]?.arrayValue?
            .compactMap(\.objectValue).first { $0["type"]?.stringValue == "org.keymesh.p2p.v1" }?["content"]?.objectValue
    }
}
