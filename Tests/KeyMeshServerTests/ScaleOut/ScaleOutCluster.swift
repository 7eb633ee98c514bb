// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshTestSupport
import Logging
import Testing

/// Several `keymesh serve` processes on one fresh PostgreSQL database: the layout of
/// docs/DEPLOY.md without the proxy. Each instance has its own port and data directory (only the
/// MSL issuer key file lives there); all share the store. ``run(instances:_:)`` creates the
/// database, starts the instances one after another (the first one migrates), runs the body,
/// then stops every instance and drops the database, whatever the body did.
///
/// Immutable once made; the child processes are only signalled by pid and polled, never waited
/// on from the cooperative pool.
final class ScaleOutCluster: @unchecked Sendable {
    struct Instance: @unchecked Sendable {
        /// "A", "B", "C", …
        let name: String
        let port: Int
        let dataDir: String
        let process: Process
        /// The instance's stdout and stderr.
        var log: String { dataDir + "/serve.log" }
    }

    let database: PostgresTestDatabase
    let instances: [Instance]

    private init(database: PostgresTestDatabase, instances: [Instance]) {
        self.database = database
        self.instances = instances
    }

    var ports: [Int] { instances.map(\.port) }
    func http(_ index: Int) -> HTTPClient { HTTPClient(port: instances[index].port) }

    static let logger = Logger(label: "keymesh.test.scale-out")

    /// Runs `body` on `count` instances sharing one new database; returns false (after a loud
    /// skip message) when no PostgreSQL is configured outside CI.
    /// - Throws: ``ScaleOutError`` when PostgreSQL is required (CI) but missing, or an instance
    ///   does not start; whatever `body` throws.
    @discardableResult
    static func run(instances count: Int = 3, _ body: (ScaleOutCluster) async throws -> Void) async throws -> Bool {
        guard try postgresAvailable() else { return false }
        let database = try await PostgresTestDatabase.create()
        var started: [Instance] = []
        do {
            for index in 0..<count {
                started.append(try await start(name: String(Character(Unicode.Scalar(UInt8(65 + index)))), database: database))
            }
            try await body(ScaleOutCluster(database: database, instances: started))
        } catch {
            await shutdown(started, database: database)
            throw error
        }
        await shutdown(started, database: database)
        return true
    }

    /// Whether PostgreSQL-backed tests run here (the team rule of docs/TESTING.md: skip loudly
    /// without `KEYMESH_TEST_POSTGRES`, fail when `CI=true`).
    static func postgresAvailable() throws -> Bool {
        switch PostgresTestDatabase.availability {
        case .available: return true
        case .skip(let why):
            logger.warning("SKIPPING scale-out tests (three keymesh serve on one PostgreSQL): \(why)")
            return false
        case .fail(let why): throw ScaleOutError.postgresMissing(why)
        }
    }

    /// Starts one `keymesh serve --database postgres://…` with the password in its environment
    /// (never a flag) and waits until `/versions` answers.
    static func start(name: String, database: PostgresTestDatabase) async throws -> Instance {
        let port = ServeProcess.freePort()
        let dataDir = ServeProcess.temporaryDataDir()
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let logPath = dataDir + "/serve.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }
        let process = Process()
        process.executableURL = ServeProcess.binary
        process.arguments = ["serve", "--port", "\(port)", "--data-dir", dataDir, "--log-level", "warning",
                             "--password-strength", "minimum", "--claim-rate", "0", "--register-rate", "0",
                             "--login-rate", "0", "--failed-login-rate", "0",
                             "--database", database.description, "--database-connections", "8"]
        var environment = ProcessInfo.processInfo.environment
        for key in ["KEYMESH_DATABASE", "KEYMESH_DATABASE_PASSWORD_FILE", "KEYMESH_DATABASE_PASSWORD"] { environment[key] = nil }
        if let password = database.password { environment["KEYMESH_DATABASE_PASSWORD"] = password }
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let instance = Instance(name: name, port: port, dataDir: dataDir, process: process)
        guard await ready(instance) else {
            await stop(instance, signal: SIGKILL)
            let tail = logTail(instance)
            try? FileManager.default.removeItem(atPath: dataDir)
            throw ScaleOutError.didNotStart(name, tail)
        }
        return instance
    }

    /// Polls `/versions` for up to 60 s while the process runs.
    private static func ready(_ instance: Instance) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, instance.process.isRunning {
            if let reply = try? await ScaleOutHTTP.request(port: instance.port, "GET", "/_matrix/client/versions", timeout: 5),
               reply.status == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// SIGKILL of instance `index`; returns once the process is gone.
    func kill9(_ index: Int) async {
        await Self.stop(instances[index], signal: SIGKILL)
    }

    /// The last lines of an instance's log, for failure messages.
    func logTail(_ index: Int) -> String { Self.logTail(instances[index]) }

    static func logTail(_ instance: Instance, lines: Int = 15) -> String {
        let text = (try? String(contentsOfFile: instance.log, encoding: .utf8)) ?? ""
        return "instance \(instance.name) log:\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Sends `signal`, then waits up to 20 s for the exit (SIGKILL after that).
    private static func stop(_ instance: Instance, signal: Int32) async {
        let process = instance.process
        guard process.isRunning else { return }
        _ = kill(process.processIdentifier, signal)
        if await exited(process, within: .seconds(20)) { return }
        _ = kill(process.processIdentifier, SIGKILL)
        _ = await exited(process, within: .seconds(20))
    }

    private static func exited(_ process: Process, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return !process.isRunning
    }

    /// SIGTERM to every instance still running, at once; returns the names of those that had
    /// not exited after `grace` (they get SIGKILL).
    @discardableResult
    private static func terminate(_ instances: [Instance], grace: Duration) async -> [String] {
        let running = instances.filter(\.process.isRunning)
        for instance in running { _ = kill(instance.process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        var stuck: [String] = []
        for instance in running {
            if await exited(instance.process, within: deadline - ContinuousClock.now) { continue }
            stuck.append(instance.name)
            await stop(instance, signal: SIGKILL)
        }
        return stuck
    }

    /// SIGTERM to instance `index` (a rolling restart's stop): whether it exited within `grace`
    /// (if not, it is killed).
    func terminate(_ index: Int, grace: Duration) async -> Bool {
        await Self.terminate([instances[index]], grace: grace).isEmpty
    }

    private static func shutdown(_ instances: [Instance], database: PostgresTestDatabase) async {
        await terminate(instances, grace: .seconds(10))
        do { try await database.drop() } catch { logger.warning("could not drop \(database): \(String(reflecting: error))") }
        for instance in instances { try? FileManager.default.removeItem(atPath: instance.dataDir) }
    }
}

enum ScaleOutError: Error, CustomStringConvertible {
    case postgresMissing(String)
    case didNotStart(String, String)

    var description: String {
        switch self {
        case .postgresMissing(let why): why
        case .didNotStart(let name, let log): "keymesh serve instance \(name) did not start\n\(log)"
        }
    }
}
