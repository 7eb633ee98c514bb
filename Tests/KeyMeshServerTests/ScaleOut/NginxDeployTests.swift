// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// The shipped nginx config (deploy/nginx/keymesh.conf, docs/DEPLOY.md) checked by `nginx -t`
/// and run in front of three `keymesh serve` instances: on one shared SQLite file, and on one
/// PostgreSQL database when KEYMESH_TEST_POSTGRES is set. Without nginx the tests skip loudly,
/// unless CI=true (scripts/setup installs nginx-light there), when they fail.
@Suite("nginx in front of three keymesh serve (deploy/nginx/keymesh.conf)")
struct NginxDeployTests {
    @Test("nginx -t accepts the shipped config with ports filled in, and refuses a broken copy")
    func configTest() async throws {
        guard let nginx = try NginxRun.binary() else { return }
        let shipped = try NginxRun.shippedConfig()
        // the settings docs/DEPLOY.md promises
        #expect(shipped.contains("client_max_body_size 1m;"))  // keymesh's default 1 MiB request limit
        #expect(shipped.contains("least_conn;"))
        #expect(shipped.contains("proxy_http_version 1.1;"))
        #expect(shipped.contains("proxy_set_header Connection \"\";"))
        #expect(shipped.contains("X-Forwarded-For $proxy_add_x_forwarded_for"))
        let sync = try #require(NginxRun.block(after: "location ~ ^/_matrix/client/(v3|r0)/sync$", in: shipped))
        #expect(sync.contains("proxy_buffering off;"))
        let readTimeout = try #require(NginxRun.seconds(of: "proxy_read_timeout", in: sync))
        #expect(readTimeout > 60, "the /sync read timeout must exceed keymesh's 60 s cap on ?timeout=")

        let ports = (0..<3).map { _ in ServeProcess.freePort() }
        let run = try NginxRun(nginx: nginx, backends: ports, listen: ServeProcess.freePort())
        defer { run.removeFiles() }
        let good = try await run.configTest()
        #expect(good.status == 0, "\(good.errors)")

        let broken = try NginxRun(nginx: nginx, backends: ports, listen: ServeProcess.freePort(),
                                  edit: { $0.replacingOccurrences(of: "proxy_buffering off;", with: "proxy_buffering maybe;") })
        defer { broken.removeFiles() }
        let refused = try await broken.configTest()
        #expect(refused.status != 0, "nginx -t accepted an invalid proxy_buffering value")
    }

    @Test("through nginx: three instances on one SQLite file answer, register, log in, upload and claim",
          .timeLimit(.minutes(4)))
    func liveOnSQLite() async throws {
        guard let nginx = try NginxRun.binary() else { return }
        let dataDir = ServeProcess.temporaryDataDir()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        var servers: [Process] = []
        var ports: [Int] = []
        do {
            // one after another on one data directory: the first creates the database and the
            // MSL issuer key file, the others open both (docs/DEPLOY.md)
            for _ in 0..<3 {
                let port = ServeProcess.freePort()
                servers.append(try await ServeProcess.start(port: port, dataDir: dataDir).process)
                ports.append(port)
            }
            try await Self.exercise(nginx: nginx, backends: ports)
        } catch {
            for server in servers { await NginxRun.stop(server) }
            throw error
        }
        for server in servers { await NginxRun.stop(server) }
    }

    @Test("through nginx: three instances on one PostgreSQL database", .timeLimit(.minutes(4)))
    func liveOnPostgres() async throws {
        guard let nginx = try NginxRun.binary() else { return }
        try await ScaleOutCluster.run(instances: 3) { cluster in
            try await Self.exercise(nginx: nginx, backends: cluster.ports)
        }
    }

    /// Starts nginx in front of `backends`, then: 30 `/versions` all answered, by at least two
    /// instances; a user registered, logged in again, keys uploaded and claimed through the
    /// proxy; a body over 1 MiB refused by nginx with 413.
    static func exercise(nginx: String, backends: [Int]) async throws {
        let run = try NginxRun(nginx: nginx, backends: backends, listen: ServeProcess.freePort())
        defer { run.removeFiles() }
        try await run.start()
        do {
            try await checks(port: run.listen, backends: backends)
        } catch {
            await run.stop()
            throw error
        }
        await run.stop()
    }

    private static func checks(port: Int, backends: [Int]) async throws {
        var answeredBy: [String: Int] = [:]
        for _ in 0..<30 {
            let reply = try await ScaleOutHTTP.request(port: port, "GET", "/_matrix/client/versions", timeout: 20)
            #expect(reply.status == 200)
            answeredBy[reply.header("X-Upstream") ?? "none", default: 0] += 1
        }
        let expected = Set(backends.map { "127.0.0.1:\($0)" })
        #expect(Set(answeredBy.keys).isSubset(of: expected), "\(answeredBy)")
        #expect(answeredBy.count >= 2, "one instance answered everything: \(answeredBy)")

        let name = "nginx\(UInt32.random(in: 0...UInt32.max))"
        let alice = try await ScaleOutHTTP.register(port: port, name)
        let phone = try await ScaleOutHTTP.login(port: port, alice)
        #expect(phone.deviceID != alice.deviceID)
        let published = try await ScaleOutHTTP.uploadKeys(port: port, phone, oneTimeKeys: 5)
        #expect(published.oneTime.count == 5)
        try await ScaleOutHTTP.uploadKeys(port: port, alice)

        // claimed through whichever instance nginx picks: five keys, each once, then none
        var claimed: Set<String> = []
        for _ in 0..<6 {
            let reply = try await ScaleOutHTTP.request(port: port, "POST", "keys/claim", token: alice.token, json: [
                "one_time_keys": [alice.userID: [phone.deviceID: "signed_curve25519"]],
            ])
            #expect(reply.status == 200, "\(reply.body)")
            let keys = reply.body["one_time_keys"]?.objectValue?[alice.userID]?.objectValue?[phone.deviceID]?.objectValue
            if let id = keys?.firstEntry?.key { claimed.insert(id) }
        }
        #expect(claimed == Set(published.oneTime.keys), "\(claimed) != \(published.oneTime.keys.sorted())")

        let query = try await ScaleOutHTTP.request(port: port, "POST", "keys/query", token: alice.token,
                                                   json: ["device_keys": [alice.userID: []]])
        let devices = query.body["device_keys"]?.objectValue?[alice.userID]?.objectValue
        #expect(Set(devices?.keys.map { $0 } ?? []) == [alice.deviceID, phone.deviceID])

        // client_max_body_size 1m: nginx answers 413 itself
        let big = ["filler": .string(String(repeating: "x", count: 1_100_000))] as JSONObject
        let tooLarge = try await ScaleOutHTTP.request(port: port, "POST", "keys/upload", token: alice.token, json: big)
        #expect(tooLarge.status == 413)
    }
}

/// One nginx in a temporary prefix: the shipped config with the three upstream ports and the
/// listen port replaced and an `X-Upstream` header added, inside a main config of its own (pid,
/// logs and temp files in the prefix, never the system's), run in the foreground.
struct NginxRun: @unchecked Sendable {
    let nginx: String
    let prefix: String
    let listen: Int
    let process = Process()

    var mainConfig: String { prefix + "/nginx.conf" }

    /// The shipped ports: docs/DEPLOY.md's layout.
    static let shippedBackends = ["127.0.0.1:8101", "127.0.0.1:8102", "127.0.0.1:8103"]
    static let shippedListen = "listen 8008;"

    init(nginx: String, backends: [Int], listen: Int, edit: (String) -> String = { $0 }) throws {
        self.nginx = nginx
        self.listen = listen
        prefix = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-nginx-\(UUID().uuidString)").path
        var site = try Self.shippedConfig()
        for (shipped, port) in zip(Self.shippedBackends, backends) {
            try #require(site.contains(shipped), "deploy/nginx/keymesh.conf no longer names \(shipped)")
            site = site.replacingOccurrences(of: shipped, with: "127.0.0.1:\(port)")
        }
        try #require(site.contains(Self.shippedListen), "deploy/nginx/keymesh.conf no longer has '\(Self.shippedListen)'")
        site = site.replacingOccurrences(of: Self.shippedListen,
                                         with: "listen 127.0.0.1:\(listen);\n    add_header X-Upstream $upstream_addr always;")
        site = edit(site)
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        try Data(site.utf8).write(to: URL(fileURLWithPath: prefix + "/keymesh.conf"))
        let main = """
            daemon off;
            master_process on;
            worker_processes 1;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/error.log warn;
            events { worker_connections 256; }
            http {
                access_log \(prefix)/access.log;
                client_body_temp_path \(prefix)/body;
                proxy_temp_path \(prefix)/proxy;
                fastcgi_temp_path \(prefix)/fastcgi;
                uwsgi_temp_path \(prefix)/uwsgi;
                scgi_temp_path \(prefix)/scgi;
                include \(prefix)/keymesh.conf;
            }

            """
        try Data(main.utf8).write(to: URL(fileURLWithPath: mainConfig))
    }

    /// nginx's own arguments: prefix, config and an early error log away from /var/log.
    var arguments: [String] { ["-p", prefix, "-c", mainConfig, "-e", prefix + "/error.log"] }

    func configTest() async throws -> CommandRun {
        try await CommandRun.run(nginx, ["-t"] + arguments, timeout: 60)
    }

    /// Starts nginx in the foreground and waits (up to 30 s) until it proxies `/versions`.
    func start() async throws {
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            if let reply = try? await ScaleOutHTTP.request(port: listen, "GET", "/_matrix/client/versions", timeout: 5),
               reply.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? ""
        await stop()
        Issue.record("nginx did not proxy /versions within 30 s:\n\(log)")
        throw NginxRunError.didNotStart
    }

    /// SIGQUIT (graceful), polled without blocking the pool; SIGKILL after 20 s.
    func stop() async {
        await Self.stop(process, signal: SIGQUIT)
    }

    /// Sends `signal` and polls for the exit; SIGKILL after 20 s.
    static func stop(_ process: Process, signal: Int32 = SIGTERM) async {
        guard process.isRunning else { return }
        _ = kill(process.processIdentifier, signal)
        for attempt in 0..<400 {
            guard process.isRunning else { return }
            if attempt == 399 { _ = kill(process.processIdentifier, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    func removeFiles() { try? FileManager.default.removeItem(atPath: prefix) }

    /// deploy/nginx/keymesh.conf as shipped.
    static func shippedConfig() throws -> String {
        try String(contentsOf: PythonPeer.packageRoot.appendingPathComponent("deploy/nginx/keymesh.conf"), encoding: .utf8)
    }

    /// The text between `{` and the matching `}` of the block opened on the line `header`.
    static func block(after header: String, in text: String) -> String? {
        guard let start = text.range(of: header + " {") else { return nil }
        var depth = 1
        var index = start.upperBound
        while index < text.endIndex {
            let character = text[index]
            if character == "{" { depth += 1 }
            if character == "}" {
                depth -= 1
                if depth == 0 { return String(text[start.upperBound..<index]) }
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// The value of `directive Ns;` in `text`, in seconds.
    static func seconds(of directive: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.first == Substring(directive), words.count == 2, words[1].hasSuffix("s;") else { continue }
            return Int(words[1].dropLast(2))
        }
        return nil
    }

    /// The nginx program (PATH, then Debian's /usr/sbin), or nil after a loud skip message;
    /// with CI=true a missing nginx throws (scripts/setup installs nginx-light).
    static func binary() throws -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/sbin"]
        for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/nginx") {
            return folder + "/nginx"
        }
        if ProcessInfo.processInfo.environment["CI"]?.lowercased() == "true" {
            Issue.record("nginx is not installed, and CI=true: scripts/setup installs nginx-light, so this is a defect")
            throw NginxRunError.missing
        }
        print("SKIPPING nginx deployment tests: nginx is not installed (apt-get install nginx-light, or bash scripts/setup)")
        return nil
    }
}

enum NginxRunError: Error {
    case missing
    case didNotStart
}
