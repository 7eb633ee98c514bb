// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the real `keymesh serve` binary, as an operator would.
@Suite("keymesh serve (the binary)")
struct ServeProcessTests {
    static var binary: URL {
        // Tests/KeyMeshServerTests/<file> → package root → .build/debug/keymesh
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/keymesh")
    }

    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Polls `/versions` on `port` for up to 20 s; returns the status code once it answers.
    static func versionsStatus(port: Int) async throws -> Int? {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/_matrix/client/versions"))
        for _ in 0..<200 {
            if let (_, response) = try? await URLSession.shared.data(from: url),
               let http = response as? HTTPURLResponse {
                return http.statusCode
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test("starts on a fresh data directory, answers /versions, creates its database, and stops on SIGTERM")
    func startsAndStops() async throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-serve-\(UUID().uuidString)").path
        let port = Int.random(in: 30000..<40000)
        let process = try Self.start(["--port", "\(port)"], environment: ["KEYMESH_DATA_DIR": dataDir])
        defer { if process.isRunning { process.terminate() } }
        #expect(try await Self.versionsStatus(port: port) == 200)
        #expect(FileManager.default.fileExists(atPath: dataDir + "/keymesh.sqlite"))
        process.terminate()  // SIGTERM: graceful shutdown
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("KEYMESH_PORT configures the port when no flag is given; bad values are refused")
    func environmentAndValidation() async throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-serve-\(UUID().uuidString)").path
        let port = Int.random(in: 40000..<50000)
        let process = try Self.start(["--data-dir", dataDir], environment: ["KEYMESH_PORT": "\(port)"])
        defer { if process.isRunning { process.terminate() } }
        #expect(try await Self.versionsStatus(port: port) == 200)
        process.terminate()
        process.waitUntilExit()

        for bad in [["--port", "0"], ["--registration", "maybe"], ["--log-level", "loud"]] {
            let refused = try Self.start(bad + ["--data-dir", dataDir])
            refused.waitUntilExit()
            #expect(refused.terminationStatus != 0, "\(bad)")
        }
    }
}
