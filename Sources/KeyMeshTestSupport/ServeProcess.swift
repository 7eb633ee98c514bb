// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `keymesh serve` child process (the debug build of this package).
public struct ServeProcess {
    public init(process: Process) { self.process = process }

    public let process: Process
    public var terminationStatus: Int32 { process.terminationStatus }

    /// The debug build of `keymesh` in this package.
    public static var binary: URL { PythonPeer.packageRoot.appendingPathComponent(".build/debug/keymesh") }

    public static func temporaryDataDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-serve-\(UUID().uuidString)").path
    }

    /// A port nothing listens on now (bind to 0, read it, close).
    public static func freePort() -> Int {
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
    public static func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
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
    public static func versionsStatus(port: Int) async throws -> Int? {
        guard let url = URL(string: "http://127.0.0.1:\(port)/_matrix/client/versions") else { return nil }
        for _ in 0..<300 {
            if let (_, response) = try? await URLSession.shared.data(from: url), let http = response as? HTTPURLResponse {
                return http.statusCode
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Starts a test server (cheap passwords, no claim or login/register rate limits: every
    /// client of a test shares 127.0.0.1) and waits until `/versions` answers. `extra` comes
    /// last, so it can set any of these again.
    public static func start(port: Int, dataDir: String, extra: [String] = []) async throws -> ServeProcess {
        let process = try launch(["--port", "\(port)", "--data-dir", dataDir, "--log-level", "warning",
                                  "--password-strength", "minimum", "--claim-rate", "0",
                                  "--register-rate", "0", "--login-rate", "0", "--failed-login-rate", "0"] + extra)
        guard try await versionsStatus(port: port) == 200 else {
            process.terminate()
            throw ServeProcessError.didNotStart
        }
        return ServeProcess(process: process)
    }

    /// SIGTERM, then wait for the graceful exit.
    public mutating func stop() throws {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

public enum ServeProcessError: Error { case didNotStart }
