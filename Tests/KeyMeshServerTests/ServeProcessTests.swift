// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the real `keymesh serve` binary, as an operator would.
@Suite("keymesh serve (the binary)")
struct ServeProcessTests {
    @Test("starts on a fresh data directory, answers /versions, creates its database, and stops on SIGTERM")
    func startsAndStops() async throws {
        let dataDir = ServeProcess.temporaryDataDir()
        let port = ServeProcess.freePort()
        let process = try ServeProcess.launch(["--port", "\(port)"], environment: ["KEYMESH_DATA_DIR": dataDir])
        defer { if process.isRunning { process.terminate() } }
        #expect(try await ServeProcess.versionsStatus(port: port) == 200)
        #expect(FileManager.default.fileExists(atPath: dataDir + "/keymesh.sqlite"))
        process.terminate()  // SIGTERM: graceful shutdown
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("KEYMESH_PORT configures the port when no flag is given; bad values are refused")
    func environmentAndValidation() async throws {
        let dataDir = ServeProcess.temporaryDataDir()
        let port = ServeProcess.freePort()
        let process = try ServeProcess.launch(["--data-dir", dataDir], environment: ["KEYMESH_PORT": "\(port)"])
        defer { if process.isRunning { process.terminate() } }
        #expect(try await ServeProcess.versionsStatus(port: port) == 200)
        process.terminate()
        process.waitUntilExit()

        // a public host defaults to shared-secret registration and needs a secret
        for bad in [["--port", "0"], ["--registration", "maybe"], ["--log-level", "loud"], ["--host", "0.0.0.0"],
                    ["--claim-rate", "-1"], ["--password-strength", "weak"], ["--max-request-bytes", "10"],
                    ["--head-timeout", "0"], ["--idle-timeout", "soon"], ["--register-rate", "-1"], ["--login-burst", "0"],
                    ["--password-hash-concurrency", "0"], ["--host", "127.evil.example"]] {
            let refused = try ServeProcess.launch(bad + ["--data-dir", dataDir])
            refused.waitUntilExit()
            #expect(refused.terminationStatus != 0, "\(bad)")
        }
    }

    @Test("secrets come from a file or the environment, never a flag: --registration-shared-secret is gone")
    func secretFile() async throws {
        let dataDir = ServeProcess.temporaryDataDir()
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let secretPath = dataDir + "/secret"
        try Data("op-secret\n".utf8).write(to: URL(fileURLWithPath: secretPath))
        for refused in [["--registration-shared-secret", "op-secret"], ["--registration-shared-secret-file", dataDir + "/none"],
                        ["--registration", "shared-secret"]] {
            let process = try ServeProcess.launch(refused + ["--data-dir", dataDir, "--port", "\(ServeProcess.freePort())"])
            process.waitUntilExit()
            #expect(process.terminationStatus != 0, "\(refused)")
        }
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: dataDir, extra: [
            "--registration", "shared-secret", "--registration-shared-secret-file", secretPath])
        defer { try? server.stop() }
        // the file's secret (without its newline) opens operator registration
        let http = AdminHTTP(port: port)
        let nonce = try #require(try await http.call("GET").body["nonce"]?.stringValue)
        let made = try await http.call("POST", body: http.body(nonce, user: "opal"))
        #expect(made.status == 200, "\(made.body)")
        #expect(made.body["user_id"] == "@opal:localhost")
        // and keymesh client takes its password from a file or KEYMESH_PASSWORD, not a flag
        let passwordPath = dataDir + "/password"
        try Data("pw\n".utf8).write(to: URL(fileURLWithPath: passwordPath))
        let environment = ["KEYMESH_SERVER": "http://127.0.0.1:\(port)", "KEYMESH_PROFILE": dataDir + "/profile"]
        let flag = try await CommandRun.run(ServeProcess.binary.path, ["client", "login", "--user", "opal", "--password", "pw"],
                                      environment: environment)
        #expect(flag.status != 0)
        let fromFile = try await CommandRun.run(ServeProcess.binary.path, ["client", "login", "--user", "opal", "--password-file", passwordPath],
                                          environment: environment)
        #expect(fromFile.status == 0, "\(fromFile.errors)")
        let fromVariable = try await CommandRun.run(ServeProcess.binary.path, ["client", "login", "--user", "opal"],
                                              environment: environment.merging(["KEYMESH_PROFILE": dataDir + "/profile2",
                                                                                 "KEYMESH_PASSWORD": "pw"]) { $1 })
        #expect(fromVariable.status == 0, "\(fromVariable.errors)")
        let none = try await CommandRun.run(ServeProcess.binary.path, ["client", "login", "--user", "opal"],
                                      environment: environment.merging(["KEYMESH_PROFILE": dataDir + "/profile3"]) { $1 })
        #expect(none.status != 0)
    }
}
