// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm
import Testing

/// Every link of the chain present, missing or invalid (signed by another key under the right
/// key id), in every combination.
enum Link: CaseIterable, Sendable, CustomStringConvertible {
    case valid, missing, invalid
    var description: String { "\(self == .valid ? "valid" : self == .missing ? "missing" : "invalid")" }
}

/// Alice's view of Bob (or of herself), built link by link.
struct Scenario {
    let alice = CrossSigningKeys(userID: "@alice:hs")
    let bob = CrossSigningKeys(userID: "@bob:hs")
    let device = OlmAccount()
    let deviceID = "BOBDEV"

    /// `object` with a signature at `signatures[entity]["ed25519:<claimed>"]` per `link`.
    static func signed(_ object: JSONObject, _ link: Link, entity: String, claimed: Ed25519SecretKey) throws -> JSONObject {
        switch link {
        case .missing: return object
        case .valid: return try JSONSigner.sign(object, entity: entity, keyID: .ed25519(claimed.publicKey.base64), key: claimed)
        case .invalid: return try JSONSigner.sign(object, entity: entity, keyID: .ed25519(claimed.publicKey.base64), key: Ed25519SecretKey())
        }
    }

    func response(target: String, ownUSK: Link, uskToMaster: Link, masterToSSK: Link, sskToDevice: Link) throws -> JSONObject {
        let owner = target == bob.userID ? bob : alice
        let deviceKeys = device.deviceKeys(userID: target, deviceID: deviceID)
        let master = CrossSigningKeys.keyObject(userID: target, usage: "master", key: owner.master.publicKey)
        let ssk = CrossSigningKeys.keyObject(userID: target, usage: "self_signing", key: owner.selfSigning.publicKey)
        let usk = CrossSigningKeys.keyObject(userID: alice.userID, usage: "user_signing", key: alice.userSigning.publicKey)
        return [
            "device_keys": .object(JSONObject([(target, .object(JSONObject([
                (deviceID, .object(try Self.signed(deviceKeys, sskToDevice, entity: target, claimed: owner.selfSigning))),
            ])))])),
            "master_keys": .object(JSONObject([(target, .object(target == alice.userID ? master
                : try Self.signed(master, uskToMaster, entity: alice.userID, claimed: alice.userSigning)))])),
            "self_signing_keys": .object(JSONObject([(target, .object(try Self.signed(ssk, masterToSSK, entity: target, claimed: owner.master)))])),
            "user_signing_keys": ["@alice:hs": .object(try Self.signed(usk, ownUSK, entity: alice.userID, claimed: alice.master))],
        ]
    }
}

@Suite("Trust evaluator: the full table")
struct TrustTableTests {
    @Test("another user's device: 81 combinations of the four links", arguments: Link.allCases)
    func otherUser(ownUSK: Link) throws {
        let scenario = Scenario()
        let evaluator = TrustEvaluator(ownUserID: "@alice:hs", ownMaster: scenario.alice.master.publicKey)
        for uskToMaster in Link.allCases {
            for masterToSSK in Link.allCases {
                for sskToDevice in Link.allCases {
                    let response = try scenario.response(target: "@bob:hs", ownUSK: ownUSK, uskToMaster: uskToMaster,
                                                         masterToSSK: masterToSSK, sskToDevice: sskToDevice)
                    let trust = try #require(evaluator.evaluate(response)["@bob:hs"])
                    let got = try #require(trust.devices[scenario.deviceID])
                    let label = "USK \(ownUSK), USK→MSK \(uskToMaster), MSK→SSK \(masterToSSK), SSK→device \(sskToDevice)"
                    let theirChain = masterToSSK == .valid && sskToDevice == .valid
                    let identity = ownUSK == .valid && uskToMaster == .valid
                    #expect(trust.identityTrusted == identity, "\(label)")
                    switch got {
                    case .crossSignedTrusted: #expect(theirChain && identity, "\(label)")
                    case .signedByUntrustedIdentity: #expect(theirChain && !identity, "\(label)")
                    case .unverified: #expect(!theirChain, "\(label)")
                    case .locallyVerified: Issue.record("nothing was verified locally: \(label)")
                    }
                }
            }
        }
    }

    @Test("own devices: trusted exactly when our master key signed the SSK and the SSK signed the device")
    func ownDevices() throws {
        let scenario = Scenario()
        let evaluator = TrustEvaluator(ownUserID: "@alice:hs", ownMaster: scenario.alice.master.publicKey)
        for masterToSSK in Link.allCases {
            for sskToDevice in Link.allCases {
                let response = try scenario.response(target: "@alice:hs", ownUSK: .missing, uskToMaster: .missing,
                                                     masterToSSK: masterToSSK, sskToDevice: sskToDevice)
                let got = evaluator.evaluate(response)["@alice:hs"]?.devices[scenario.deviceID]
                #expect((got == .crossSignedTrusted) == (masterToSSK == .valid && sskToDevice == .valid), "\(masterToSSK) \(sskToDevice)")
            }
        }
        // a server that swaps in another master key for us gets nothing trusted
        let impostor = TrustEvaluator(ownUserID: "@alice:hs", ownMaster: Ed25519SecretKey().publicKey)
        let response = try scenario.response(target: "@alice:hs", ownUSK: .valid, uskToMaster: .valid, masterToSSK: .valid, sskToDevice: .valid)
        #expect(impostor.evaluate(response)["@alice:hs"]?.devices[scenario.deviceID]?.isTrusted == false)
    }

    @Test("local verification, malformed devices, missing own keys, identity changes")
    func otherCases() throws {
        let scenario = Scenario()
        let full = try scenario.response(target: "@bob:hs", ownUSK: .valid, uskToMaster: .valid, masterToSSK: .valid, sskToDevice: .valid)
        let unsigned = try scenario.response(target: "@bob:hs", ownUSK: .valid, uskToMaster: .missing, masterToSSK: .missing, sskToDevice: .missing)
        var evaluator = TrustEvaluator(ownUserID: "@alice:hs", ownMaster: scenario.alice.master.publicKey)
        #expect(evaluator.evaluate(unsigned)["@bob:hs"]?.devices[scenario.deviceID] == .unverified(reason: "self-signing key not signed by the master key"))
        evaluator.locallyVerified = [.init(userID: "@bob:hs", deviceID: scenario.deviceID, ed25519: scenario.device.ed25519Key.base64)]
        #expect(evaluator.evaluate(unsigned)["@bob:hs"]?.devices[scenario.deviceID] == .locallyVerified)
        // a device whose key changed is no longer the one verified
        evaluator.locallyVerified = [.init(userID: "@bob:hs", deviceID: scenario.deviceID, ed25519: Ed25519SecretKey().publicKey.base64)]
        #expect(evaluator.evaluate(unsigned)["@bob:hs"]?.devices[scenario.deviceID]?.isTrusted == false)

        // a device listed under another id than its own (the server moved it) is refused
        var moved = full
        var devices = moved["device_keys"]?.objectValue?["@bob:hs"]?.objectValue ?? [:]
        devices["OTHER"] = devices[scenario.deviceID]
        moved["device_keys"] = ["@bob:hs": .object(devices)]
        guard case .unverified = evaluator.evaluate(moved)["@bob:hs"]?.devices["OTHER"] else {
            Issue.record("a device under a foreign id was accepted")
            return
        }
        // no own master key yet: nobody else is trusted
        let fresh = TrustEvaluator(ownUserID: "@alice:hs", ownMaster: nil)
        #expect(fresh.evaluate(full)["@bob:hs"]?.devices[scenario.deviceID] == .signedByUntrustedIdentity(reason: "our user-signing key is missing or not signed by our master key"))

        // identity change: the master key differs from the pinned one
        var pinned = TrustEvaluator(ownUserID: "@alice:hs", ownMaster: scenario.alice.master.publicKey,
                                    pinnedMasters: ["@bob:hs": scenario.bob.master.publicKey.base64])
        #expect(pinned.evaluate(full)["@bob:hs"]?.identityChanged == false)
        pinned.pinnedMasters["@bob:hs"] = Ed25519SecretKey().publicKey.base64
        let changed = try #require(pinned.evaluate(full)["@bob:hs"])
        #expect(changed.identityChanged)
        #expect(changed.masterKey == scenario.bob.master.publicKey.base64)
    }

    @Test("cross-signing secrets never print")
    func redaction() {
        let keys = CrossSigningKeys(userID: "@alice:hs")
        let secret = keys.master.unsafeExportSecret()
        let text = "\(keys) \(String(reflecting: keys))"
        #expect(text.contains("redacted"))
        secret.withUnsafeBytes { bytes in
            #expect(!text.contains(Base64.encode(Array(bytes))))
        }
    }
}
