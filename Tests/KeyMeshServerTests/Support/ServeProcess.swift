// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshOlm
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `keymesh serve` child process (the debug build of this package).
struct ServeProcess {
    let process: Process
    var terminationStatus: Int32 { process.terminationStatus }

    static var binary: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/keymesh")
    }

    static func temporaryDataDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-serve-\(UUID().uuidString)").path
    }

    /// A port nothing listens on now (bind to 0, read it, close).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length)
                return getsockname(fd, pointer, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Launches `keymesh serve` with exactly these arguments and environment additions, without
    /// waiting for it (for tests of flag handling and refusals).
    static func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Polls `/versions` on `port` for up to 30 s; the status once it answers, else nil.
    static func versionsStatus(port: Int) async throws -> Int? {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/_matrix/client/versions"))
        for _ in 0..<300 {
            if let (_, response) = try? await URLSession.shared.data(from: url), let http = response as? HTTPURLResponse {
                return http.statusCode
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Starts a test server (cheap passwords, no claim limit) and waits until `/versions` answers.
    static func start(port: Int, dataDir: String, extra: [String] = []) async throws -> ServeProcess {
        let process = try launch(["--port", "\(port)", "--data-dir", dataDir, "--log-level", "warning",
                                  "--password-strength", "minimum", "--claim-rate", "0"] + extra)
        guard try await versionsStatus(port: port) == 200 else {
            process.terminate()
            throw ServeProcessError.didNotStart
        }
        return ServeProcess(process: process)
    }

    /// SIGTERM, then wait for the graceful exit.
    mutating func stop() throws {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

enum ServeProcessError: Error { case didNotStart }

/// A small JSON-over-HTTP client for the process tests (URLSession).
struct HTTPClient: Sendable {
    let port: Int

    struct Reply {
        let status: Int
        let body: JSONObject
    }

    func call(_ method: String, _ path: String, token: String? = nil, json: JSONObject? = nil) async throws -> Reply {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/_matrix/client/v3/\(path)"))
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(try CanonicalJSON.encode(.object(json)))
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return Reply(status: status, body: try JSONParser.parse(Array(data)).objectValue ?? [:])
    }

    func register(_ name: String) async throws -> TestUser {
        let password = "pw-\(name)"
        let reply = try await call("POST", "register", json: ["username": .string(name), "password": .string(password),
                                                              "auth": ["type": "m.login.dummy"]])
        try #require(reply.status == 200, "\(reply.body)")
        return TestUser(userID: try #require(reply.body["user_id"]?.stringValue),
                               deviceID: try #require(reply.body["device_id"]?.stringValue),
                               token: try #require(reply.body["access_token"]?.stringValue), password: password,
                               account: OlmAccount())
    }

    func uploadKeys(_ user: TestUser, oneTimeKeys: Int) async throws {
        _ = user.account.generateOneTimeKeys(count: oneTimeKeys)
        let reply = try await call("POST", "keys/upload", token: user.token, json: [
            "device_keys": .object(user.account.deviceKeys(userID: user.userID, deviceID: user.deviceID)),
            "one_time_keys": .object(user.account.signedOneTimeKeys(userID: user.userID, deviceID: user.deviceID)),
        ])
        try #require(reply.status == 200, "\(reply.body)")
        user.account.markKeysAsPublished()
    }
}
