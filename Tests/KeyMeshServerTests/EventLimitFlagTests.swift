// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// The event and account limits reach the real binary from flags and environment variables,
/// and bad values stop it before it binds (docs/SERVER.md "Options").
@Suite("keymesh serve: event and account limit flags")
struct EventLimitFlagTests {
    @Test("--max-devices-per-user and KEYMESH_MAX_QUEUED_TO_DEVICE are enforced; bad values refuse to start")
    func flags() async throws {
        let dataDir = ServeProcess.temporaryDataDir()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        for bad in [["--max-devices-per-user", "0"], ["--max-queued-to-device", "x"], ["--max-to-device-per-request", "-1"],
                    ["--max-follows-per-user", "0"], ["--to-device-transaction-ids", ""], ["--device-list-history", "0"], ["--max-to-device-bytes", "0"]] {
            let refused = try ServeProcess.launch(bad + ["--data-dir", dataDir])
            refused.waitUntilExit()
            #expect(refused.terminationStatus != 0, "\(bad)")
        }
        let port = ServeProcess.freePort()
        // the variable is given to the child only: other tests launch servers at the same time
        let process = try ServeProcess.launch(["--port", "\(port)", "--data-dir", dataDir, "--password-strength", "minimum",
                                               "--max-devices-per-user", "1"],
                                              environment: ["KEYMESH_MAX_QUEUED_TO_DEVICE": "1"])
        var server = ServeProcess(process: process)
        defer { try? server.stop() }
        try #require(try await ServeProcess.versionsStatus(port: port) == 200)
        let client = HTTPClient(port: port)
        let alice = try await client.register("alice")
        let bob = try await client.register("bob")
        let login = try await client.call("POST", "login", json: [
            "type": "m.login.password", "password": .string(alice.password),
            "identifier": ["type": "m.id.user", "user": .string(alice.userID)]])
        #expect(login.status == 403 && login.body["errcode"]?.stringValue == "M_FORBIDDEN", "\(login.body)")
        let message: JSONObject = ["messages": [bob.userID: [bob.deviceID: ["n": 1]]]]
        #expect(try await client.call("PUT", "sendToDevice/m.test/1", token: alice.token, json: message).status == 200)
        let full = try await client.call("PUT", "sendToDevice/m.test/2", token: alice.token, json: message)
        #expect(full.status == 413 && full.body["errcode"]?.stringValue == "M_TOO_LARGE", "\(full.body)")
    }
}
