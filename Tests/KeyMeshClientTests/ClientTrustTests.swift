// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrossSigning
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshClient

@Suite("KeyMeshClient: cross-signing and trust policies")
struct ClientTrustTests {
    @Test("bootstrap, verify, and what each policy sends to")
    func policies() async throws {
        try await LiveServer.run { url in
            let alice = try KeyMeshClient(homeserver: url)
            let aliceSession = try await alice.register(username: "alice", password: "pw-a")
            let bob = try KeyMeshClient(homeserver: url)
            let bobSession = try await bob.register(username: "bob", password: "pw-b")
            try await bob.bootstrapCrossSigning(password: "pw-b")
            let bob2 = try KeyMeshClient(homeserver: url)  // a second device of bob's, never cross-signed
            _ = try await bob2.login(username: "bob", password: "pw-b")
            try await bob2.publishKeys()
            try await alice.bootstrapCrossSigning(password: "pw-a")

            // before verifying: bob's first device is signed by an identity alice has not verified
            var trust = try await alice.trust(of: bobSession.userID)
            #expect(trust.devices[bobSession.deviceID].map { if case .signedByUntrustedIdentity = $0 { true } else { false } } == true)
            #expect(trust.devices[await bob2.session?.deviceID ?? ""].map { if case .unverified = $0 { true } else { false } } == true)
            #expect(trust.masterKey == (await bob.ownMasterKey))

            await alice.setTrustPolicy(.selfSigned)
            #expect(try await alice.send(to: bobSession.userID, type: "m.test", content: [:]).count == 2)
            await alice.setTrustPolicy(.crossSigned)
            #expect(try await alice.send(to: bobSession.userID, type: "m.test", content: [:]).map(\.deviceID) == [bobSession.deviceID])
            await alice.setTrustPolicy(.verified)
            #expect(try await alice.send(to: bobSession.userID, type: "m.test", content: [:]).isEmpty)

            // verification against the wrong key is refused; against the right one it signs
            await #expect(throws: ClientError.self) { try await alice.verify(bobSession.userID, masterKey: "AAAA") }
            let bobMaster = try #require(await alice.masterKey(of: bobSession.userID))
            try await alice.verify(bobSession.userID, masterKey: Fingerprint.format(bobMaster))
            trust = try await alice.trust(of: bobSession.userID)
            #expect(trust.identityTrusted)
            #expect(trust.devices[bobSession.deviceID] == .crossSignedTrusted)
            #expect(try await alice.send(to: bobSession.userID, type: "m.test", content: [:]).map(\.deviceID) == [bobSession.deviceID])

            // a device verified by hand joins the verified set
            let unsigned = try #require(await alice.devices(of: bobSession.userID).first { $0.deviceID != bobSession.deviceID })
            try await alice.verifyDevice(unsigned)
            #expect(try await alice.send(to: bobSession.userID, type: "m.test", content: [:]).count == 2)

            // alice's own devices: cross-signed by her own key
            #expect(try await alice.trust(of: aliceSession.userID).devices[aliceSession.deviceID] == .crossSignedTrusted)
        }
    }

    @Test("a changed master key stops cross-signed sending until verified again, and verify needs the keys")
    func identityChange() async throws {
        try await LiveServer.run { url in
            let alice = try KeyMeshClient(homeserver: url, trustPolicy: .crossSigned)
            _ = try await alice.register(username: "alice", password: "pw-a")
            let bob = try KeyMeshClient(homeserver: url)
            let bobSession = try await bob.register(username: "bob", password: "pw-b")
            await #expect(throws: ClientError.noCrossSigningKeys) { try await alice.verify(bobSession.userID, masterKey: "x") }
            try await bob.bootstrapCrossSigning(password: "pw-b")
            #expect(try await alice.send(to: bobSession.userID, type: "m.test", content: [:]).count == 1)  // pinned on first use

            try await bob.bootstrapCrossSigning(password: "pw-b")  // new keys (the password is asked for)
            _ = try await alice.sync()  // device_lists: bob changed
            let trust = try await alice.trust(of: bobSession.userID)
            #expect(trust.identityChanged)
            #expect(try await alice.send(to: bobSession.userID, type: "m.test", content: [:]).isEmpty)
            // replacing them without the password is refused, and bob keeps the keys the server has
            let current = await bob.ownMasterKey
            await #expect(throws: ClientError.self) { try await bob.bootstrapCrossSigning() }
            #expect(await bob.ownMasterKey == current)
            #expect(try await alice.masterKey(of: bobSession.userID) == current)
        }
    }
}
