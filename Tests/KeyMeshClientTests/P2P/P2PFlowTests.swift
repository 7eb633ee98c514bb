// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshClient

/// The SDK's P2P flows (docs/P2P.md §7-§9) between devices of one user through `keymesh serve`.
@Suite("KeyMeshClient: P2P join, authorise and revoke")
struct P2PFlowTests {
    /// Alice's first device (cross-signing set up) and a second device logged in, keys published.
    static func aliceTwoDevices(_ url: URL) async throws -> (owner: KeyMeshClient, joiner: KeyMeshClient) {
        let owner = try KeyMeshClient(homeserver: url)
        try await owner.register(username: "alice", password: "pw-a")
        try await owner.publishKeys()
        try await owner.bootstrapCrossSigning(password: "pw-a")
        let joiner = try KeyMeshClient(homeserver: url)
        try await joiner.login(username: "alice", password: "pw-a")
        try await joiner.publishKeys()
        return (owner, joiner)
    }

    /// Runs the whole authorisation; `edit` may change the code before the joiner types it.
    static func authorise(_ owner: KeyMeshClient, _ joiner: KeyMeshClient, edit: @Sendable (String) -> String = { $0 })
        async throws -> (joined: Result<String, any Error>, authorised: Result<String, any Error>) {
        let asked = try await joiner.requestJoin()
        #expect(asked.contains(try await owner.identity().deviceID))
        let request = try await owner.awaitJoinRequest(timeout: .seconds(30))
        #expect(request.deviceID == (try await joiner.identity().deviceID))
        async let authorised = outcome { try await owner.completeAuthorisation(timeout: .seconds(30)) }
        async let joined = outcome { try await joiner.completeJoin(code: edit(request.code), timeout: .seconds(30)) }
        return (await joined, await authorised)
    }

    static func outcome<T: Sendable>(_ body: @Sendable () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    @Test("a new device gets the secrets, is cross-signed, and a contact trusts it")
    func joinAndTrust() async throws {
        try await LiveServer.run { url in
            let (owner, joiner) = try await Self.aliceTwoDevices(url)
            let bob = try KeyMeshClient(homeserver: url)
            try await bob.register(username: "bob", password: "pw-b")
            try await bob.publishKeys()
            try await bob.bootstrapCrossSigning(password: "pw-b")
            let aliceMaster = try #require(await owner.ownMasterKey)
            try await bob.verify("@alice:localhost", masterKey: aliceMaster)

            #expect(await joiner.hasCrossSigningKeys == false)
            let (joined, authorised) = try await Self.authorise(owner, joiner)
            #expect(try joined.get() == aliceMaster)
            #expect(try authorised.get() == (try await joiner.identity().deviceID))
            #expect(await joiner.ownMasterKey == aliceMaster)
            #expect(await joiner.ownSelfSigningKey == (await owner.ownSelfSigningKey))

            let joinerID = try await joiner.identity().deviceID
            let trust = try await bob.trust(of: "@alice:localhost")
            #expect(trust.devices[joinerID] == .crossSignedTrusted)
        }
    }

    /// A wrong session part (first symbol): the joiner aborts before proving anything. A wrong
    /// proof part (last symbol): the authoriser refuses the proof. Either way nothing secret moves.
    @Test("a code with one wrong symbol: the side that checks it stops, nothing secret is sent",
          arguments: [(true, "the code does not match"), (false, "did not prove it saw the code")])
    func wrongSymbol(inSessionPart: Bool, refusal: String) async throws {
        try await LiveServer.run { url in
            let (owner, joiner) = try await Self.aliceTwoDevices(url)
            let (joined, authorised) = try await Self.authorise(owner, joiner) { code in
                let index = inSessionPart ? code.startIndex : code.index(before: code.endIndex)
                var changed = code
                changed.replaceSubrange(index...index, with: code[index] == "0" ? "1" : "0")
                return changed
            }
            let failures = [joined.failure, authorised.failure].compactMap { $0.map { "\($0)" } }
            #expect(failures.count == 2, "\(failures)")
            #expect(failures.contains { $0.contains(refusal) }, "\(failures)")
            #expect(await joiner.hasCrossSigningKeys == false)
        }
    }

    @Test("text that is not a code is a typing mistake and sends nothing")
    func notACode() async throws {
        try await LiveServer.run { url in
            let (_, joiner) = try await Self.aliceTwoDevices(url)
            _ = try await joiner.requestJoin()
            await #expect(throws: ClientError.self) { try await joiner.completeJoin(code: "12345", timeout: .seconds(5)) }
        }
    }

    @Test("revoking a device rotates the keys; the others take them, contacts still trust them and not the old keys")
    func revoke() async throws {
        try await LiveServer.run { url in
            let (owner, second) = try await Self.aliceTwoDevices(url)
            _ = try await Self.authorise(owner, second).joined.get()
            let lost = try KeyMeshClient(homeserver: url)
            try await lost.login(username: "alice", password: "pw-a")
            try await lost.publishKeys()
            _ = try await Self.authorise(owner, lost).joined.get()
            let bob = try KeyMeshClient(homeserver: url)
            try await bob.register(username: "bob", password: "pw-b")
            try await bob.publishKeys()
            try await bob.bootstrapCrossSigning(password: "pw-b")
            let master = try #require(await owner.ownMasterKey)
            try await bob.verify("@alice:localhost", masterKey: master)
            try await owner.verify("@bob:localhost", masterKey: try #require(await bob.ownMasterKey))
            let oldSSK = try #require(await owner.ownSelfSigningKey)
            let lostID = try await lost.identity().deviceID
            let secondID = try await second.identity().deviceID
            let ownerID = try await owner.identity().deviceID

            let done = try await owner.revoke(deviceID: lostID, password: "pw-a")
            #expect(done.masterKey == master)
            #expect(done.selfSigningKey != oldSSK)
            #expect(done.resignedDevices == [secondID])
            #expect(done.resignedUsers == ["@bob:localhost"])

            // the second device takes the new secrets over a fresh P2P session as it syncs
            async let waiting = owner.completeHandovers(timeout: .seconds(30))
            for _ in 0..<30 where await second.ownSelfSigningKey != done.selfSigningKey {
                _ = try await second.sync(timeout: .milliseconds(500))
            }
            #expect(try await waiting.isEmpty)
            #expect(await second.ownSelfSigningKey == done.selfSigningKey)
            #expect(await second.ownMasterKey == master)

            let trust = try await bob.trust(of: "@alice:localhost")
            #expect(trust.devices[ownerID] == .crossSignedTrusted)
            #expect(trust.devices[secondID] == .crossSignedTrusted)
            #expect(trust.devices[lostID] == nil)
            // a device the lost one signs with the keys it still knows is not trusted by anyone
            let lostKeys = try #require(await lost.state.crossSigning)
            #expect(lostKeys.selfSigning.publicKey.base64 == oldSSK)
            let forged = try lostKeys.signDevice(Self.fakeDevice(userID: "@alice:localhost", deviceID: "FORGED"))
            var response = try await Self.query(bob, "@alice:localhost")
            var deviceKeys = response["device_keys"]?.objectValue?["@alice:localhost"]?.objectValue ?? [:]
            deviceKeys["FORGED"] = .object(forged)
            response["device_keys"] = ["@alice:localhost": .object(deviceKeys)]
            let evaluator = TrustEvaluator(ownUserID: "@bob:localhost", ownMaster: try #require(await bob.state.crossSigning?.master.publicKey))
            let verdict = try #require(evaluator.evaluate(response)["@alice:localhost"])
            #expect(verdict.devices[secondID] == .crossSignedTrusted)
            #expect(verdict.devices["FORGED"] != .crossSignedTrusted)
        }
    }

    @Test("revoke with a master reset: the other device takes the new master only because the old one signed it")
    func revokeResettingMaster() async throws {
        try await LiveServer.run { url in
            let (owner, second) = try await Self.aliceTwoDevices(url)
            _ = try await Self.authorise(owner, second).joined.get()
            let lost = try KeyMeshClient(homeserver: url)
            try await lost.login(username: "alice", password: "pw-a")
            try await lost.publishKeys()
            let oldMaster = try #require(await owner.ownMasterKey)
            let done = try await owner.revoke(deviceID: try await lost.identity().deviceID, password: "pw-a", resetMaster: true)
            #expect(done.masterKey != oldMaster)
            async let waiting = owner.completeHandovers(timeout: .seconds(30))
            for _ in 0..<30 where await second.ownMasterKey != done.masterKey {
                _ = try await second.sync(timeout: .milliseconds(500))
            }
            #expect(try await waiting.isEmpty)
            #expect(await second.ownMasterKey == done.masterKey)
            #expect(await second.ownSelfSigningKey == done.selfSigningKey)
            #expect(await second.rotationsReceived == 1)
        }
    }

    /// A self-signed device keys object for a device that does not exist on the server.
    static func fakeDevice(userID: String, deviceID: String) throws -> JSONObject {
        let key = Ed25519SecretKey()
        let object: JSONObject = [
            "user_id": .string(userID), "device_id": .string(deviceID),
            "algorithms": ["m.olm.v1.curve25519-aes-sha2"],
            "keys": .object(["ed25519:\(deviceID)": .string(key.publicKey.base64),
                             "curve25519:\(deviceID)": .string(Curve25519SecretKey().publicKey.base64)]),
        ]
        return try JSONSigner.sign(object, entity: userID, keyID: .ed25519(deviceID), key: key)
    }

    /// Bob's `/keys/query` of alice and himself, as the trust evaluator takes it.
    static func query(_ client: KeyMeshClient, _ userID: String) async throws -> JSONObject {
        let session = try await client.requireSession()
        return try await client.connection.call("POST", "keys/query", token: session.accessToken,
                                                body: ["device_keys": .object([userID: [], session.userID: []])])
    }
}

extension Result {
    /// The error, if this is a failure.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
