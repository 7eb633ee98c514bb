// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// The key limits reach `keymesh serve` through their flags and environment variables
/// (docs/SECURITY.md "Limits").
@Suite("keymesh serve: key limit flags")
struct KeyLimitFlagTests {
    @Test("--max-one-time-keys, --max-account-data-bytes and their variables configure the server; a value below 1 is refused")
    func flags() async throws {
        let dataDir = ServeProcess.temporaryDataDir()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let port = ServeProcess.freePort()
        let process = try ServeProcess.launch(["--port", "\(port)", "--data-dir", dataDir, "--password-strength", "minimum",
                                               "--max-one-time-keys", "2", "--max-account-data-bytes", "16"],
                                              environment: ["KEYMESH_MAX_CLAIM_KEYS": "1", "KEYMESH_MAX_ACCOUNT_DATA_TYPES": "1"])
        defer { if process.isRunning { process.terminate() } }
        #expect(try await ServeProcess.versionsStatus(port: port) == 200)
        let client = HTTPClient(port: port)
        let alice = try await client.register("alice")
        _ = alice.account.generateOneTimeKeys(count: 3)
        let upload = try await client.call("POST", "keys/upload", token: alice.token, json: [
            "device_keys": .object(alice.account.deviceKeys(userID: alice.userID, deviceID: alice.deviceID)),
            "one_time_keys": .object(alice.account.signedOneTimeKeys(userID: alice.userID, deviceID: alice.deviceID)),
        ])
        #expect(upload.status == 413, "\(upload.body)")
        let claim = try await client.call("POST", "keys/claim", token: alice.token, json: [
            "one_time_keys": [.init(alice.userID): ["A": "signed_curve25519", "B": "signed_curve25519"]],
        ])
        #expect(claim.status == 413, "\(claim.body)")
        let path = "user/\(alice.userID)/account_data/"
        #expect(try await client.call("PUT", path + "x.one", token: alice.token, json: ["v": 1]).status == 200)
        #expect(try await client.call("PUT", path + "x.two", token: alice.token, json: ["v": 1]).status == 413)
        #expect(try await client.call("PUT", path + "x.one", token: alice.token, json: ["v": "seventeen bytes!"]).status == 413)
        process.terminate()
        process.waitUntilExit()
        for bad in [["--max-query-users", "0"], ["--max-device-keys-bytes", "x"]] {
            let refused = try ServeProcess.launch(bad + ["--data-dir", dataDir, "--port", "\(ServeProcess.freePort())"])
            refused.waitUntilExit()
            #expect(refused.terminationStatus != 0, "\(bad)")
        }
    }
}
