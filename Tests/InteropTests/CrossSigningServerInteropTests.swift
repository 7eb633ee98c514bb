// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import HummingbirdTesting
import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshStoreSQLite
import NIOCore
import Testing

@testable import KeyMeshServer

/// The server's cross-signing endpoints with signatures made by a real vodozemac / libolm
/// device: its self-signed device keys upload, its signature on its user's master key is
/// accepted by `/keys/signatures/upload`, and a forged one is refused per item.
@Suite("Cross-signing over HTTP with real Olm devices")
struct CrossSigningServerInteropTests {
    @Test("a peer device's signatures pass the server's checks; a forged one is refused", arguments: OlmBackend.allCases)
    func peerSignatures(backend: OlmBackend) async throws {
        guard let peer = try backend.start() else { return }
        var config = ServerConfig()
        config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-interop-\(UUID().uuidString)").path
        config.passwordStrength = .minimum
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        let app = Application(router: buildRouter(state: ServerState(config: config, store: try SQLiteStore(path: config.databasePath))))
        try await app.test(.router) { client in
            func call(_ path: String, token: String? = nil, _ body: JSONObject) async throws -> (HTTPResponse.Status, JSONObject) {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let token { headers[.authorization] = "Bearer \(token)" }
                let response = try await client.executeRequest(uri: "/_matrix/client/v3/" + path, method: .post, headers: headers,
                                                               body: ByteBuffer(bytes: try CanonicalJSON.encode(.object(body))))
                return (response.status, try JSONParser.parse(Array(response.body.readableBytesView)).objectValue ?? [:])
            }
            let deviceID = "PEERDEV"
            let (_, registered) = try await call("register", ["username": "bob", "password": "pw", "device_id": .string(deviceID),
                                                              "auth": ["type": "m.login.dummy"]])
            let token = try #require(registered["access_token"]?.stringValue)
            let user = try #require(registered["user_id"]?.stringValue)

            // device keys made and self-signed by the peer's account
            let identity = try peer.identity()
            var device: JSONObject = [
                "user_id": .string(user), "device_id": .string(deviceID), "algorithms": ["m.olm.v1.curve25519-aes-sha2"],
                "keys": .object(JSONObject([("curve25519:\(deviceID)", .string(identity.curve25519.base64)),
                                            ("ed25519:\(deviceID)", .string(identity.ed25519.base64))])),
            ]
            device["signatures"] = .object(JSONObject([(user, .object(JSONObject([("ed25519:\(deviceID)", .string(try peer.signJSON(device)))])))]))
            #expect(try await call("keys/upload", token: token, ["device_keys": .object(device)]).0 == .ok)

            let keys = CrossSigningKeys(userID: user)
            #expect(try await call("keys/device_signing/upload", token: token, try keys.uploadBody()).0 == .ok)
            let master = try #require(try keys.uploadBody()["master_key"]?.objectValue)
            let signature = try peer.signJSON(master)
            func masterSigned(_ signature: String) -> JSONObject {
                var signed = master
                signed["signatures"] = .object(JSONObject([(user, .object(JSONObject([("ed25519:\(deviceID)", .string(signature))])))]))
                return CrossSigningKeys.signaturesUploadBody([(user, keys.master.publicKey.base64, signed)])
            }
            let forged = String(signature.reversed())
            let (_, refused) = try await call("keys/signatures/upload", token: token, masterSigned(forged))
            #expect(refused["failures"]?.objectValue?[user]?.objectValue?[keys.master.publicKey.base64]?.objectValue?["errcode"] == "M_INVALID_SIGNATURE")
            let (_, accepted) = try await call("keys/signatures/upload", token: token, masterSigned(signature))
            #expect(accepted == ["failures": [:]])

            // the device's signature on the master key is what /keys/query now shows
            let (_, answer) = try await call("keys/query", token: token, ["device_keys": .object(JSONObject([(user, .array([]))]))])
            let shown = try #require(answer["master_keys"]?.objectValue?[user]?.objectValue)
            try JSONSigner.verify(shown, entity: user, keyID: .ed25519(deviceID), publicKey: identity.ed25519)
        }
    }
}
