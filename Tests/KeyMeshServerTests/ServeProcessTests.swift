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
                    ["--claim-rate", "-1"], ["--password-strength", "weak"], ["--max-request-bytes", "10"]] {
            let refused = try ServeProcess.launch(bad + ["--data-dir", dataDir])
            refused.waitUntilExit()
            #expect(refused.terminationStatus != 0, "\(bad)")
        }
    }
}
