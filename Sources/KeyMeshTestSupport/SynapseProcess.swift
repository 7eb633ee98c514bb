// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real Synapse homeserver (matrix-synapse in `.venv`, installed by `scripts/setup --peers`)
/// as a child process: a spec-compliant server none of us wrote, for proving client features
/// "through Synapse" (docs/TESTING.md, "Synapse").
///
/// Each instance lives in a fresh temporary directory: SQLite database, generated signing key,
/// media store and a WARNING+ log file. One `client` listener on 127.0.0.1 (no federation),
/// open registration without verification, and every rate limit raised out of reach, since
/// all of a test's clients share 127.0.0.1.
public final class SynapseProcess: @unchecked Sendable {
    // The fields are set once in `init`; `Process` itself is thread-safe enough for
    // isRunning/terminate/processIdentifier.
    public let process: Process
    /// The temporary directory holding the config, database, key, media and log.
    public let directory: URL
    /// `http://127.0.0.1:<port>`.
    public let baseURL: URL
    /// The server name: user ids are `@name:synapse.test`.
    public let serverName: String

    /// The server name every instance uses.
    public static let defaultServerName = "synapse.test"

    private init(process: Process, directory: URL, baseURL: URL, serverName: String) {
        self.process = process
        self.directory = directory
        self.baseURL = baseURL
        self.serverName = serverName
    }

    /// The interpreter (as for the Python peers: `KEYMESH_PYTHON`, else `.venv/bin/python`).
    public static var python: String { PythonPeer.python }

    /// Whether the interpreter can import `synapse`, checked on a thread of its own (never the
    /// cooperative pool).
    public static var isAvailable: Bool {
        get async {
            guard FileManager.default.isExecutableFile(atPath: python) else { return false }
            let run = try? await CommandRun.run(python, ["-c", "import synapse"], timeout: 120)
            return run?.status == 0
        }
    }

    /// Starts Synapse on a free port and waits until `/_matrix/client/versions` answers.
    /// - Parameter timeout: how long to wait for it (a loaded CI machine is slow to import it).
    /// - Throws: ``SynapseProcessError/notInstalled(_:)`` when `.venv` lacks matrix-synapse (a
    ///   failure, not a skip: CI always runs `scripts/setup --peers`), ``SynapseProcessError/didNotStart(_:)``.
    public static func start(timeout: Duration = .seconds(120)) async throws -> SynapseProcess {
        guard await isAvailable else {
            throw SynapseProcessError.notInstalled("matrix-synapse is not installed for \(python): run `bash scripts/setup --peers`")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-synapse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = ServeProcess.freePort()
        let config = directory.appendingPathComponent("homeserver.yaml")
        try SynapseConfig.write(into: directory, config: config, port: port, serverName: defaultServerName)
        guard let baseURL = URL(string: "http://127.0.0.1:\(port)") else { throw SynapseProcessError.didNotStart("bad port \(port)") }

        let output = directory.appendingPathComponent("stdout.txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", unblockAndRun, "--config-path", config.path]
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try? handle.close()
        let synapse = SynapseProcess(process: process, directory: directory, baseURL: baseURL, serverName: defaultServerName)
        do {
            try await synapse.waitUntilAnswering(timeout: timeout)
        } catch {
            let why = synapse.logTail()
            await synapse.stop()
            throw SynapseProcessError.didNotStart("\(error); output and log:\n\(why)")
        }
        return synapse
    }

    /// `python -m synapse.app.homeserver`, after clearing the signal mask: a child inherits
    /// the mask of the test thread that spawned it, where SIGTERM is blocked, and Python never
    /// unblocks it, so `stop()`'s SIGTERM would otherwise go unheard until the SIGKILL.
    private static let unblockAndRun = "import runpy, signal; signal.pthread_sigmask(signal.SIG_SETMASK, set()); "
        + "runpy.run_module('synapse.app.homeserver', run_name='__main__', alter_sys=True)"

    /// Starts Synapse, runs `body` against it, and stops it whether `body` throws or not.
    public static func run<T: Sendable>(_ body: (SynapseProcess) async throws -> T) async throws -> T {
        let synapse = try await start()
        do {
            let result = try await body(synapse)
            await synapse.stop()
            return result
        } catch {
            await synapse.stop()
            throw error
        }
    }

    /// The full user id of `localpart` on this server.
    public func userID(_ localpart: String) -> String { "@\(localpart):\(serverName)" }

    /// SIGTERM, then waits (asynchronously) up to 30 s for the exit, then SIGKILL; removes the directory.
    public func stop() async {
        if process.isRunning { process.terminate() }
        for _ in 0..<300 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<50 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitUntilAnswering(timeout: Duration) async throws {
        let url = baseURL.appendingPathComponent("_matrix/client/versions")
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            guard process.isRunning else { throw SynapseProcessError.didNotStart("exited with \(process.terminationStatus)") }
            var request = URLRequest(url: url)
            request.timeoutInterval = 5
            if let (_, response) = try? await URLSession.shared.data(for: request),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw SynapseProcessError.didNotStart("no answer from \(url) within \(timeout)")
    }

    /// The last lines of Synapse's stdout/stderr and log file, for a failure message.
    private func logTail() -> String {
        ["stdout.txt", "homeserver.log"].map { name in
            let text = (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return "--- \(name)\n" + text.split(separator: "\n").suffix(30).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// Why a Synapse could not be used.
public enum SynapseProcessError: Error, CustomStringConvertible {
    /// matrix-synapse is not installed in the interpreter.
    case notInstalled(String)
    /// It did not answer in time, or exited; with its output.
    case didNotStart(String)

    public var description: String {
        switch self {
        case .notInstalled(let s): s
        case .didNotStart(let s): "Synapse did not start: \(s)"
        }
    }
}

/// The homeserver and logging configs, written as JSON (which YAML reads as is).
private enum SynapseConfig {
    static func write(into directory: URL, config: URL, port: Int, serverName: String) throws {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let unlimited: [String: Any] = ["per_second": 100_000, "burst_count": 100_000]
        let homeserver: [String: Any] = [
            "server_name": serverName,
            "pid_file": path("homeserver.pid"),
            "listeners": [[
                "port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": false, "x_forwarded": false,
                "resources": [["names": ["client"], "compress": false]],
            ]],
            "database": ["name": "sqlite3", "args": ["database": path("homeserver.db")]],
            "log_config": path("log.yaml"),
            "media_store_path": path("media"),
            "signing_key_path": path("signing.key"),  // generated at the first start
            "report_stats": false,
            "bcrypt_rounds": 4,  // cheap password hashes: tests register and log in a lot
            "enable_registration": true,
            "enable_registration_without_verification": true,
            "macaroon_secret_key": UUID().uuidString,
            "form_secret": UUID().uuidString,
            "suppress_key_server_warning": true,
            "trusted_key_servers": [[String: Any]](),
            "rc_message": unlimited,
            "rc_registration": unlimited,
            "rc_login": ["address": unlimited, "account": unlimited, "failed_attempts": unlimited],
            "rc_key_requests": unlimited,
            "rc_joins": ["local": unlimited, "remote": unlimited],
            "rc_joins_per_room": unlimited,
            "rc_invites": ["per_room": unlimited, "per_user": unlimited, "per_issuer": unlimited],
            "rc_delayed_event_mgmt": unlimited,
            "rc_room_creation": unlimited,
        ]
        let logging: [String: Any] = [
            "version": 1,
            "formatters": ["precise": ["format": "%(asctime)s %(name)s %(levelname)s %(message)s"]],
            "handlers": ["file": ["class": "logging.FileHandler", "filename": path("homeserver.log"), "formatter": "precise"]],
            "root": ["level": "WARNING", "handlers": ["file"]],
            "disable_existing_loggers": false,
        ]
        try JSONSerialization.data(withJSONObject: homeserver, options: [.sortedKeys, .withoutEscapingSlashes]).write(to: config)
        try JSONSerialization.data(withJSONObject: logging, options: [.sortedKeys, .withoutEscapingSlashes]).write(to: directory.appendingPathComponent("log.yaml"))
    }
}
