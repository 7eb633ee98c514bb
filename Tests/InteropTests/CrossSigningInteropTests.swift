// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import Testing

/// Cross-signing with a real vodozemac / libolm device: its Ed25519 signatures (self-signature,
/// signature on its user's master key) are accepted by the trust evaluator, forged ones refused,
/// and our cross-signing signatures verify in the peer.
@Suite("Cross-signing with real Olm devices")
struct CrossSigningInteropTests {
    @Test("a peer device, self-signed by the peer and cross-signed by us, is trusted; forgeries are not", arguments: OlmBackend.allCases)
    func peerDevice(backend: OlmBackend) throws {
        guard let peer = try backend.start() else { return }
        let alice = CrossSigningKeys(userID: "@alice:localhost")
        let bob = CrossSigningKeys(userID: "@bob:localhost")
        let identity = try peer.identity()
        let deviceID = "PEERDEV"
        var device: JSONObject = [
            "user_id": "@bob:localhost", "device_id": .string(deviceID),
            "algorithms": ["m.olm.v1.curve25519-aes-sha2"],
            "keys": ["curve25519:\(deviceID)": .string(identity.curve25519.base64), "ed25519:\(deviceID)": .string(identity.ed25519.base64)],
        ]
        let selfSignature = try peer.signJSON(device)
        device["signatures"] = ["@bob:localhost": ["ed25519:\(deviceID)": .string(selfSignature)]]
        let crossSigned = try bob.signDevice(device)
        let bobUpload = try bob.uploadBody()
        let bobMaster = try #require(bobUpload["master_key"]?.objectValue)
        let verifiedMaster = try alice.signUser(masterKey: bobMaster)
        let aliceUpload = try alice.uploadBody()

        func response(device: JSONObject) -> JSONObject {
            ["device_keys": ["@bob:localhost": [deviceID: .object(device)]],
             "master_keys": ["@bob:localhost": .object(verifiedMaster)],
             "self_signing_keys": ["@bob:localhost": bobUpload["self_signing_key"] ?? .null],
             "user_signing_keys": ["@alice:localhost": aliceUpload["user_signing_key"] ?? .null]]
        }
        let evaluator = TrustEvaluator(ownUserID: "@alice:localhost", ownMaster: alice.master.publicKey)
        #expect(evaluator.evaluate(response(device: crossSigned))["@bob:localhost"]?.devices[deviceID] == .crossSignedTrusted)

        // the peer's self-signature, one character changed: refused
        var forged = crossSigned
        var forgedSignatures = forged["signatures"]?.objectValue?["@bob:localhost"]?.objectValue ?? [:]
        let flipped = String(selfSignature.prefix(10)) + (selfSignature.dropFirst(10).first == "A" ? "B" : "A") + String(selfSignature.dropFirst(11))
        forgedSignatures["ed25519:\(deviceID)"] = .string(flipped)
        forged["signatures"] = ["@bob:localhost": .object(forgedSignatures)]
        guard case .unverified = evaluator.evaluate(response(device: forged))["@bob:localhost"]?.devices[deviceID] else {
            Issue.record("a forged peer self-signature was accepted")
            return
        }

        // the peer verifies our self-signing signature over its device keys
        let sskSignature = try #require(crossSigned["signatures"]?.objectValue?["@bob:localhost"]?.objectValue?["ed25519:\(bob.selfSigning.publicKey.base64)"]?.stringValue)
        let signedBytes = try JSONSigner.signedBytes(of: crossSigned)
        #expect(try peer.verify(key: bob.selfSigning.publicKey, message: signedBytes, signature: sskSignature))
        #expect(try !peer.verify(key: bob.master.publicKey, message: signedBytes, signature: sskSignature))

        // the peer device signs its user's master key; the signature verifies here
        let deviceOnMaster = try peer.signJSON(bobMaster)
        var masterWithDevice = bobMaster
        masterWithDevice["signatures"] = ["@bob:localhost": ["ed25519:\(deviceID)": .string(deviceOnMaster)]]
        try JSONSigner.verify(masterWithDevice, entity: "@bob:localhost", keyID: .ed25519(deviceID), publicKey: identity.ed25519)
    }
}
