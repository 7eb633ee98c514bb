// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// `Peers/hostile_proxy.py` between the `keymesh client` CLIs and a real `keymesh serve`: the
/// operator rewrites, serves stale, substitutes and replays (docs/P2P.md §1). Each run must abort,
/// or complete only as the protocol promises, and no secret may leave the authorising device.
@Suite("Hostile server: join and authorize through a man in the middle")
struct P2PHostileServerTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-p2p-hostile-\(UUID().uuidString)").path

    /// A running `hostile_proxy.py proxy` and its message log.
    final class Proxy {
        let process = Process()
        let port = ServeProcess.freePort()
        let log: String

        init(mode: String, upstream: Int, folder: String, extra: [String] = []) async throws {
            log = "\(folder)/proxy-\(mode)-\(port).log"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: log, contents: nil)
            FileManager.default.createFile(atPath: log + ".stderr", contents: nil)
            process.executableURL = URL(fileURLWithPath: PythonPeer.python)
            process.arguments = [P2PHostileServerTests.script, "proxy", "--port", "\(port)", "--upstream", "http://127.0.0.1:\(upstream)",
                                 "--mode", mode, "--log", log] + extra
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: log + ".stderr")
            try process.run()
            guard try await ServeProcess.versionsStatus(port: port) == 200 else { throw ServeProcessError.didNotStart }
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        /// Every logged line (`kind` is `message` or `action`).
        var entries: [JSONObject] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
                .compactMap { (try? JSONParser.parse(Array($0.utf8)))?.objectValue }
        }

        /// Logged P2P messages going `dir` ("send" or "deliver") of `type`.
        func messages(_ dir: String, _ type: String) -> [JSONObject] {
            entries.filter { $0["kind"] == "message" && $0["dir"]?.stringValue == dir && $0["type"]?.stringValue == type }
        }

        func actions(_ name: String) -> Int { entries.filter { $0["action"]?.stringValue == name }.count }

        /// Waits (async) up to `timeout` seconds until `condition` holds on the log.
        func wait(timeout: Double = 60, _ condition: (Proxy) -> Bool) async throws -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if condition(self) { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return condition(self)
        }

        /// SIGTERM, then SIGKILL after 5 s.
        func stop() async throws {
            if process.isRunning { process.terminate() }
            for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        }
    }

    static var script: String { PythonPeer.packageRoot.appendingPathComponent("Tests/KeyMeshClientTests/Peers/hostile_proxy.py").path }

    func environment(_ profile: String, _ port: Int) -> [String: String] {
        ["KEYMESH_SERVER": "http://127.0.0.1:\(port)", "KEYMESH_PROFILE": "\(folder)/\(profile)", "KEYMESH_PASSWORD": "pw-a"]
    }

    func keymesh(_ profile: String, _ arguments: [String], port: Int) async throws -> CommandRun {
        try await CommandRun.run(ServeProcess.binary.path, ["client"] + arguments, environment: environment(profile, port), timeout: 120)
    }

    func start(_ profile: String, _ arguments: [String], port: Int) throws -> InteractiveRun {
        try InteractiveRun(ServeProcess.binary.path, ["client"] + arguments, environment: environment(profile, port))
    }

    /// A server with alice's authorising device `old` and a logged-in, unauthorised `new`.
    struct Account {
        var server: ServeProcess
        let port: Int
        let master: String
        let old: String
        let new: String
    }

    func account() async throws -> Account {
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: ServeProcess.temporaryDataDir())
        let old = try await keymesh("old", ["register", "--user", "alice"], port: port)
        let new = try await keymesh("new", ["login", "--user", "alice"], port: port)
        guard let master = old.lines.first?["master_key"]?.stringValue, let oldDevice = old.lines.first?["device_id"]?.stringValue,
              let newDevice = new.lines.first?["device_id"]?.stringValue
        else {
            try? server.stop()
            throw AccountError.setup("\(old.output) \(old.errors) \(new.output) \(new.errors)")
        }
        return Account(server: server, port: port, master: master, old: oldDevice, new: newDevice)
    }

    enum AccountError: Error { case setup(String) }

    /// `join` on new and `authorize` on old, both through `port`; types `code(shown)` on new once
    /// `ready` holds on the proxy log (the authoriser may show no code at all: then `shown` is nil).
    func run(port: Int, joinTimeout: Int = 60, authorizeTimeout: Int = 60, proxy: Proxy,
             ready: @escaping (Proxy) -> Bool = { _ in true }, code: (String?) -> String = { $0 ?? "00000-00000" })
        async throws -> (join: CommandRun, authorize: CommandRun, shown: String?) {
        let join = try start("new", ["join", "--timeout", "\(joinTimeout)"], port: port)
        #expect(try await join.line(event: "waiting-for-code") != nil, "\(join.errors)")
        let authorize = try start("old", ["authorize", "--timeout", "\(authorizeTimeout)"], port: port)
        let shown = try await authorize.line(event: "request", timeout: Double(authorizeTimeout) + 5)?["code"]?.stringValue
        #expect(try await proxy.wait(ready))
        join.type(code(shown))
        return (try await join.finish(), try await authorize.finish(), shown)
    }

    /// No secret left the old device: no grant or rotation passed the server, and the new device
    /// is not cross-signed in old's view (docs/P2P.md §7-§9).
    func expectNothingHandedOver(_ proxy: Proxy, join: CommandRun?, port: Int, new: String) async throws {
        for type in ["authgrant", "rotation"] {
            #expect(proxy.messages("send", type).isEmpty && proxy.messages("deliver", type).isEmpty, "\(type) passed: \(proxy.entries)")
        }
        if let join { #expect(!join.lines.contains { $0["event"] == "authorised" }, "\(join.output)") }
        let devices = try await keymesh("old", ["devices", "@alice:localhost"], port: port)
        let trust = devices.lines.first { $0["device_id"]?.stringValue == new }?["trust"]?.stringValue
        #expect(trust == "unverified", "\(devices.lines)")
    }

    @Test("swap-digests: a pool record with substituted digests fails its signature; nothing is sent")
    func swapDigests() async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        var alice = try await account()
        defer { try? alice.server.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let (port, new) = (alice.port, alice.new)
        let proxy = try await Proxy(mode: "swap-digests", upstream: port, folder: folder)
        let join = try await keymesh("new", ["join", "--timeout", "30"], port: proxy.port)
        try await proxy.stop()
        #expect(join.status == 1, "\(join.output)")
        #expect(join.errors.contains("no other device"), "\(join.errors)")
        #expect(!join.lines.contains { $0["event"] == "waiting-for-code" })
        #expect(proxy.actions("swap-digests") >= 1, "the proxy never rewrote a record: \(proxy.entries)")
        #expect(proxy.entries.filter { $0["dir"] == "send" }.isEmpty, "the joiner sent \(proxy.entries)")
        try await expectNothingHandedOver(proxy, join: join, port: port, new: new)
    }

    @Test("old-record: a stale record nominates a consumed key; the authoriser answers a mismatch, nothing is handed over")
    func oldRecord() async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        var alice = try await account()
        defer { try? alice.server.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let (port, master, oldDevice, new) = (alice.port, alice.master, alice.old, alice.new)
        // the operator, as a device of its own, saves old's record and has old consume every key in it
        let saved = "\(folder)/old-record.json"
        let drain = try InteractiveRun(PythonPeer.python, [Self.script, "drain", "--server", "http://127.0.0.1:\(port)",
                                                            "--state", "\(folder)/operator", "--user", "alice", "--device", oldDevice,
                                                            "--save-record", saved, "--timeout", "60"], environment: ["KEYMESH_PASSWORD": "pw-a"])
        #expect(try await drain.line(event: "sent")?["count"] == 10, "\(drain.errors)")
        let listen = try start("old", ["listen", "--timeout", "60"], port: port)
        let drained = try await drain.finish(timeout: 90)
        listen.kill()
        _ = try await listen.finish()
        #expect(drained.lines.last?["okay"] == 10, "\(drained.output) \(drained.errors)")

        let proxy = try await Proxy(mode: "old-record", upstream: port, folder: folder, extra: ["--old-record", saved])
        let flow = try await run(port: proxy.port, authorizeTimeout: 15, proxy: proxy) {
            !$0.messages("send", "sessionresponse").isEmpty
        }
        try await proxy.stop()
        #expect(proxy.actions("old-record") >= 1, "\(proxy.entries)")
        // `listen` died before acknowledging the operator's requests, so they come again: refused too
        let answers = proxy.messages("send", "sessionresponse")
        #expect(answers.allSatisfy { $0["status"] == "fail" && $0["message"] == "ephemeral key mismatch" }, "\(answers)")
        #expect(answers.filter { $0["dst"]?.stringValue == new }.count == 1, "\(answers)")
        #expect(flow.shown == nil, "a code was shown for a consumed key")
        #expect(flow.authorize.status == 1, "\(flow.authorize.output)")
        #expect(flow.join.status == 1, "\(flow.join.output)")
        #expect(flow.join.errors.contains("does not match"), "\(flow.join.errors)")
        #expect(proxy.messages("send", "authproof").isEmpty)
        try await expectNothingHandedOver(proxy, join: flow.join, port: port, new: new)

        // the Swift joiner does not fetch again after a `fail` (docs/P2P.md §5 step 3 "may"): a
        // new `join` reads the genuine record and completes with the right code
        let honest = try await Proxy(mode: "pass", upstream: port, folder: folder)
        let again = try await run(port: honest.port, proxy: honest)
        try await honest.stop()
        #expect(again.join.status == 0, "\(again.join.errors)")
        #expect(again.join.lines.last?["master_key"]?.stringValue == master)
        #expect(honest.messages("send", "authgrant").count == 1)
    }

    /// Swaps one key of the exchange (docs/P2P.md §5 step 3): the joiner cannot establish the
    /// session, so the right code matches nothing; the authoriser gets no proof.
    func substituted(_ mode: String) async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        var alice = try await account()
        defer { try? alice.server.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let (port, new) = (alice.port, alice.new)
        let proxy = try await Proxy(mode: mode, upstream: port, folder: folder)
        let flow = try await run(port: proxy.port, authorizeTimeout: 20, proxy: proxy) {
            !$0.messages("send", "sessionresponse").isEmpty
        }
        try await proxy.stop()
        #expect(proxy.actions(mode) >= 1, "the proxy never substituted: \(proxy.entries)")
        #expect(flow.shown != nil, "the authoriser should still show a code: \(flow.authorize.errors)")
        #expect(flow.join.status == 1, "\(flow.join.output)")
        #expect(flow.join.errors.contains("does not match"), "\(flow.join.errors)")
        #expect(flow.authorize.status == 1, "\(flow.authorize.output)")
        #expect(flow.authorize.errors.contains("no proof"), "\(flow.authorize.errors)")
        #expect(proxy.messages("send", "authproof").isEmpty && proxy.messages("deliver", "authproof").isEmpty, "\(proxy.entries)")
        try await expectNothingHandedOver(proxy, join: flow.join, port: port, new: new)
    }

    @Test("swap-ephemeral: a substituted dstkey fails the nominated digest; the right code then matches no session")
    func swapEphemeral() async throws { try await substituted("swap-ephemeral") }

    @Test("swap-srckey: a substituted srckey gives the authoriser another session; the right code matches none on the joiner")
    func swapSrckey() async throws { try await substituted("swap-srckey") }

    @Test("replay: duplicated and re-delivered messages of an earlier run are refused; one grant per run")
    func replay() async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        var alice = try await account()
        defer { try? alice.server.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let (port, master, oldDevice, new) = (alice.port, alice.master, alice.old, alice.new)
        let recorded = "\(folder)/recorded.jsonl"
        let first = try await Proxy(mode: "record", upstream: port, folder: folder, extra: ["--record", recorded])
        let one = try await run(port: first.port, proxy: first)
        try await first.stop()
        #expect(one.join.status == 0 && one.authorize.status == 0, "\(one.join.errors) \(one.authorize.errors)")
        #expect(first.messages("send", "authgrant").count == 1)
        #expect(first.messages("deliver", "authproof").count == 1)

        let second = try await Proxy(mode: "replay", upstream: port, folder: folder, extra: ["--record", recorded])
        let two = try await run(port: second.port, proxy: second)
        try await second.stop()
        #expect(two.join.status == 0, "\(two.join.errors)")
        #expect(two.join.lines.filter { $0["event"] == "authorised" }.count == 1)
        #expect(two.join.lines.last?["master_key"]?.stringValue == master)
        #expect(two.authorize.status == 0, "\(two.authorize.errors)")
        #expect(two.authorize.lines.filter { $0["event"] == "authorised" }.count == 1)
        #expect(two.shown != one.shown)
        let injected = { (why: String) in second.entries.filter { $0["injected"]?.stringValue == why } }
        #expect(!injected("duplicate").isEmpty && !injected("replayed").isEmpty, "\(second.entries)")
        // the first run's proof, re-addressed to the new session, reached the authoriser and was refused
        // (accepted, its VCM would be wrong and the authoriser would abort)
        #expect(injected("authproof-rewritten").contains { $0["dst"]?.stringValue == oldDevice }, "\(second.entries)")
        #expect(second.messages("send", "authgrant").count == 1, "\(second.entries)")
        #expect(second.messages("send", "abort").isEmpty, "\(second.entries)")
        #expect(second.messages("send", "sessionresponse").filter { $0["status"] == "okay" }.count == 1)
        let devices = try await keymesh("old", ["devices", "@alice:localhost"], port: port)
        #expect(devices.lines.first { $0["device_id"]?.stringValue == new }?["trust"] == "cross-signed-verified", "\(devices.lines)")
    }

    @Test("mitm: the server shows each device an impostor of the other; the codes differ, the joiner aborts, nothing is handed over")
    func manInTheMiddle() async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        var alice = try await account()
        defer { try? alice.server.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let proxy = try await Proxy(mode: "mitm", upstream: alice.port, folder: folder,
                                    extra: ["--joiner", alice.new, "--authoriser", alice.old])
        let flow = try await run(port: proxy.port, authorizeTimeout: 30, proxy: proxy) { $0.actions("mitm-sessions") == 1 }
        try await proxy.stop()
        // both sessions ran: the authoriser's code is the attacker's session with it, the joiner's is another
        let sessions = try #require(proxy.entries.first { $0["action"] == "mitm-sessions" }, "\(proxy.entries)")
        let shown = try #require(flow.shown, "\(flow.authorize.errors)")
        #expect(sessions["verified"] == true)
        #expect(sessions["vcs_authoriser"]?.stringValue == String(shown.prefix(5)), "\(sessions)")
        #expect(sessions["vcs_joiner"]?.stringValue != String(shown.prefix(5)), "\(sessions)")
        #expect(flow.join.status == 1, "\(flow.join.output)")
        #expect(flow.join.errors.contains("does not match"), "\(flow.join.errors)")
        #expect(flow.authorize.status == 1, "\(flow.authorize.output)")
        #expect(proxy.messages("send", "authproof").isEmpty, "\(proxy.entries)")
        // the attacker relayed only the joiner's abort
        #expect(proxy.entries.filter { $0["action"] == "mitm-relay" }.allSatisfy { $0["type"] == "abort" }, "\(proxy.entries)")
        try await expectNothingHandedOver(proxy, join: flow.join, port: alice.port, new: alice.new)
    }

    /// A server that invents N devices answers the join from all of them, hoping for N guesses of
    /// the VCS; the joiner compares the code only when exactly one device answered (docs/P2P.md §7).
    @Test("mitm with 20 invented devices: the joiner refuses to compare the code with several sessions; nothing handed over")
    func inventedDevices() async throws {
        guard try PythonPeer.isAvailable("nacl", peer: "PyNaCl") else { return }
        var alice = try await account()
        defer { try? alice.server.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let proxy = try await Proxy(mode: "mitm", upstream: alice.port, folder: folder,
                                    extra: ["--joiner", alice.new, "--authoriser", alice.old, "--impostors", "20"])
        let flow = try await run(port: proxy.port, authorizeTimeout: 30, proxy: proxy) { $0.actions("mitm-sessions") == 1 }
        try await proxy.stop()
        #expect(flow.join.status == 1, "\(flow.join.output)")
        #expect(proxy.messages("send", "authproof").isEmpty, "\(proxy.entries)")
        try await expectNothingHandedOver(proxy, join: flow.join, port: alice.port, new: alice.new)
        let asked = proxy.messages("send", "sessionrequest").filter { $0["src"]?.stringValue == alice.new }
        #expect(asked.count == 21, "\(asked)")
        let sessions = proxy.entries.first { $0["action"] == "mitm-sessions" }
        // the joiner compares the code with one session only: with several answering it refuses
        // before comparing, so the invented devices buy the attacker no extra guesses
        #expect(sessions?["joiner_sessions"]?.intValue ?? 0 > 1, "\(String(describing: sessions))")
        #expect(flow.join.errors.contains("more than one device answered"), "\(flow.join.errors)")
    }
}
