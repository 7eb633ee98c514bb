// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import KeyMeshClient

/// The SDK as an MSL requester of `keymesh serve` (docs/MSL.md §11, docs/CLIENT.md "MSL master
/// tokens"): obtain, renew, keep sealed across a restart, typed refusals.
@Suite("KeyMeshClient: MSL master tokens")
struct MSLClientTests {
    @Test("obtain (DIFFIE_HELLMAN) then renew (ASYMMETRIC_WRAPPED): same serial, next sequence, new keys, kept across a restart")
    func obtainAndRenew() async throws {
        let profile = try TemporaryProfile()
        defer { profile.remove() }
        try await LiveServer.run { url in
            let renewed: MSLTokenSession
            do {
                let client = try profile.open(url)
                _ = try await client.register(username: "alice", password: "pw-a")
                #expect(await client.masterToken == nil)
                let started = Int64(Date().timeIntervalSince1970)
                let first = try await client.obtainMasterToken()
                #expect(first.sequenceNumber == 0)
                #expect(first.renewalWindow >= started + 12 * 3600 && first.expiration >= started + 24 * 3600)
                #expect(!first.isRenewable(now: started) && first.isRenewable(now: first.renewalWindow))
                renewed = try await client.renewMasterToken(scheme: .asymmetricWrapped, mechanism: .jwkRSA)
                #expect(renewed.serialNumber == first.serialNumber)
                #expect(renewed.sequenceNumber == 1)
                #expect(renewed.keys != first.keys)
                #expect(!"\(renewed)".contains(MSLBase64.encode(renewed.keys.hmacKey.unsafeExportSecret())), "printing shows no key")
            }  // the process ends; the token was committed before renewMasterToken returned
            let reopened = try profile.open(url)
            let kept = try #require(await reopened.masterToken)
            #expect(kept.serialNumber == renewed.serialNumber && kept.sequenceNumber == 1)
            #expect(kept.keys == renewed.keys)
            #expect(kept.masterToken == renewed.masterToken)
            #expect(try await reopened.renewMasterToken().sequenceNumber == 2)
        }
    }

    @Test("a device deleted on the server: renewal is refused 1013 (401) and the dead token is forgotten")
    func revoked() async throws {
        try await LiveServer.run { url in
            let phone = try KeyMeshClient(homeserver: url)
            _ = try await phone.register(username: "bob", password: "pw-b")
            try await phone.obtainMasterToken()
            // the server deletes the device (its access token logs out behind the client's back)
            var logout = URLRequest(url: url.appendingPathComponent("_matrix/client/v3/logout"))
            logout.httpMethod = "POST"
            logout.setValue("Bearer \(try await #require(phone.session).accessToken)", forHTTPHeaderField: "Authorization")
            let (_, response) = try await URLSession.shared.data(for: logout)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            await #expect(throws: ClientError.msl(code: 1013, name: "MASTERTOKEN_IDENTITY_REVOKED", status: 401)) {
                try await phone.renewMasterToken()
            }
            #expect(await phone.masterToken == nil)
        }
    }

    @Test("typed refusals: no token to renew (7010), no pre-shared key (7004), not logged in")
    func refusals() async throws {
        try await LiveServer.run { url in
            let client = try KeyMeshClient(homeserver: url)
            await #expect(throws: ClientError.notLoggedIn) { try await client.obtainMasterToken() }
            _ = try await client.register(username: "carol", password: "pw-c")
            await #expect(throws: ClientError.msl(code: 7010, name: "KEYX_MASTER_TOKEN_MISSING", status: 0)) {
                try await client.renewMasterToken()
            }
            await #expect(throws: ClientError.msl(code: 7004, name: "UNSUPPORTED_KEYX_KEY_ID", status: 0)) {
                try await client.obtainMasterToken(scheme: .symmetricWrapped)
            }
            #expect(await client.masterToken == nil)
        }
    }

    @Test("obtaining a new token replaces the held one (a new serial number), and the new one renews")
    func newLineage() async throws {
        try await LiveServer.run { url in
            let client = try KeyMeshClient(homeserver: url)
            _ = try await client.register(username: "dave", password: "pw-d")
            let first = try await client.obtainMasterToken()
            let second = try await client.obtainMasterToken(scheme: .asymmetricWrapped)
            #expect(second.serialNumber != first.serialNumber)
            #expect(await client.masterToken?.serialNumber == second.serialNumber)
            #expect(try await client.renewMasterToken().serialNumber == second.serialNumber)
        }
    }
}
