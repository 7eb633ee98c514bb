// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// `keymesh client join | authorize | revoke` in "terminals" through `keymesh serve` (the
/// README's walk-through, docs/P2P.md).
@Suite("keymesh client: join, authorize and revoke from the command line")
struct P2PCLITests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-p2p-cli-\(UUID().uuidString)").path

    func environment(_ profile: String, _ port: Int) -> [String: String] {
        ["KEYMESH_SERVER": "http://127.0.0.1:\(port)", "KEYMESH_PROFILE": "\(folder)/\(profile)", "KEYMESH_PASSWORD": "pw-a"]
    }

    func keymesh(_ profile: String, _ arguments: [String], port: Int) async throws -> CommandRun {
        try await CommandRun.run(ServeProcess.binary.path, ["client"] + arguments, environment: environment(profile, port), timeout: 120)
    }

    func start(_ profile: String, _ arguments: [String], port: Int) throws -> InteractiveRun {
        try InteractiveRun(ServeProcess.binary.path, ["client"] + arguments, environment: environment(profile, port))
    }

    /// Runs `authorize` on `old` and `join` on `new`, typing the code shown (changed by `edit`).
    func authorise(old: String, new: String, port: Int, timeout: Int = 60, edit: (String) -> String = { $0 })
        async throws -> (join: CommandRun, authorize: CommandRun, code: String?) {
        let join = try start(new, ["join", "--timeout", "\(timeout)"], port: port)
        let waiting = try await join.line(event: "waiting-for-code")
        #expect(waiting != nil, "\(join.errors)")
        let authorize = try start(old, ["authorize", "--timeout", "\(timeout)"], port: port)
        let request = try await authorize.line(event: "request")
        let code = request?["code"]?.stringValue
        if let code { join.type(edit(code)) } else { join.kill() }
        return (try await join.finish(), try await authorize.finish(), code)
    }

    @Test("two terminals add a device; a contact trusts it; a wrong code exits 1 and hands nothing over")
    func twoTerminals() async throws {
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: ServeProcess.temporaryDataDir())
        defer { try? server.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let old = try await keymesh("old", ["register", "--user", "alice"], port: port)
        #expect(old.status == 0, "\(old.errors)")
        let master = try #require(old.lines.first?["master_key"]?.stringValue)
        let new = try await keymesh("new", ["login", "--user", "alice"], port: port)
        let newDevice = try #require(new.lines.first?["device_id"]?.stringValue)
        #expect(new.lines.first?["master_key"] == nil)  // logged in: no secrets yet

        // a wrong code first: both sides exit 1 and the new device stays unsigned
        let wrong = try await authorise(old: "old", new: "new", port: port) { code in (code.first == "A" ? "B" : "A") + code.dropFirst() }
        #expect(wrong.join.status == 1, "\(wrong.join.output)")
        #expect(wrong.join.errors.split(separator: "\n").last?.hasPrefix("error: ") == true, "\(wrong.join.errors)")
        #expect(!wrong.join.lines.contains { $0["event"] == "authorised" })
        #expect(wrong.authorize.status == 1, "\(wrong.authorize.output)")

        let done = try await authorise(old: "old", new: "new", port: port)
        #expect(done.join.status == 0, "\(done.join.errors)")
        #expect(done.join.lines.last?["event"] == "authorised")
        #expect(done.join.lines.last?["master_key"]?.stringValue == master)
        #expect(done.authorize.status == 0, "\(done.authorize.errors)")
        #expect(done.authorize.lines.first?["device_id"]?.stringValue == newDevice)
        #expect(done.authorize.lines.last == ["event": "authorised", "device_id": .string(newDevice)])
        let code = try #require(done.code)
        #expect(code.count == 11 && code.dropFirst(5).first == "-")

        // a contact who verified alice trusts the new device
        let bob = try await CommandRun.run(ServeProcess.binary.path, ["client", "register", "--user", "bob"],
                                           environment: ["KEYMESH_SERVER": "http://127.0.0.1:\(port)", "KEYMESH_PROFILE": "\(folder)/bob",
                                                         "KEYMESH_PASSWORD": "pw-b"])
        #expect(bob.status == 0)
        #expect(try await keymesh("bob", ["verify", "@alice:localhost", "--master-key", master], port: port).status == 0)
        let devices = try await keymesh("bob", ["devices", "@alice:localhost"], port: port)
        #expect(devices.lines.first { $0["device_id"]?.stringValue == newDevice }?["trust"] == "cross-signed-verified", "\(devices.lines)")

        // the new device can now authorise a third one itself
        #expect(try await keymesh("third", ["login", "--user", "alice"], port: port).status == 0)
        let third = try await authorise(old: "new", new: "third", port: port)
        #expect(third.join.status == 0, "\(third.join.errors)")

        // revoke the third: the others take the new keys (the new device is listening)
        let thirdDevice = try #require(third.authorize.lines.last?["device_id"]?.stringValue)
        let listening = try start("new", ["listen", "--timeout", "20"], port: port)
        let revoked = try await keymesh("old", ["revoke", thirdDevice, "--timeout", "20"], port: port)
        #expect(revoked.status == 0, "\(revoked.errors)")
        #expect(revoked.lines.first?["event"] == "revoked")
        #expect(revoked.lines.first?["master_key"]?.stringValue == master)
        #expect(revoked.lines.contains(["event": "handed-over", "device_id": .string(newDevice)]), "\(revoked.lines)")
        listening.kill()
        _ = try await listening.finish()
        let after = try await keymesh("bob", ["devices", "@alice:localhost"], port: port)
        #expect(after.lines.first { $0["device_id"]?.stringValue == newDevice }?["trust"] == "cross-signed-verified", "\(after.lines)")
        #expect(!after.lines.contains { $0["device_id"]?.stringValue == thirdDevice })
        // mistakes: one error line, status 1
        let unknown = try await keymesh("old", ["revoke", "NOSUCHDEVICE"], port: port)
        #expect(unknown.status == 1 && unknown.errors.hasPrefix("error: "), "\(unknown.errors)")
        let noSecrets = try await keymesh("bob", ["revoke", "X"], port: port)
        #expect(noSecrets.status == 1)
    }

    @Test("kill -9 of either side at each step: the flow starts again and completes, nothing lost or doubled")
    func killed() async throws {
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: ServeProcess.temporaryDataDir())
        defer { try? server.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let master = try #require(try await keymesh("old", ["register", "--user", "alice"], port: port).lines.first?["master_key"]?.stringValue)
        #expect(try await keymesh("new", ["login", "--user", "alice"], port: port).status == 0)

        // 1. the joiner dies while waiting for the code
        let join1 = try start("new", ["join", "--timeout", "30"], port: port)
        _ = try await join1.line(event: "waiting-for-code")
        join1.kill()
        _ = try await join1.finish()
        // 2. the authoriser dies after showing the code (the joiner then gives up)
        let join2 = try start("new", ["join", "--timeout", "8"], port: port)
        _ = try await join2.line(event: "waiting-for-code")
        let authorize2 = try start("old", ["authorize", "--timeout", "30"], port: port)
        let code2 = try await authorize2.line(event: "request")?["code"]?.stringValue
        authorize2.kill()
        _ = try await authorize2.finish()
        if let code2 { join2.type(code2) }
        let gaveUp = try await join2.finish()
        #expect(gaveUp.status == 1, "\(gaveUp.output)")
        // 3. the joiner dies right after typing the code
        let join3 = try start("new", ["join", "--timeout", "30"], port: port)
        _ = try await join3.line(event: "waiting-for-code")
        let authorize3 = try start("old", ["authorize", "--timeout", "10"], port: port)
        if let code3 = try await authorize3.line(event: "request")?["code"]?.stringValue { join3.type(code3) }
        join3.kill()
        _ = try await join3.finish()
        _ = try await authorize3.finish()

        // after all that, a fresh run completes and gives the same keys
        let done = try await authorise(old: "old", new: "new", port: port)
        #expect(done.join.status == 0, "\(done.join.errors)")
        #expect(done.join.lines.last?["master_key"]?.stringValue == master)
        #expect(done.authorize.status == 0, "\(done.authorize.errors)")
        // and both still work: the new device authorises another one
        #expect(try await keymesh("third", ["login", "--user", "alice"], port: port).status == 0)
        #expect(try await authorise(old: "new", new: "third", port: port).join.status == 0)
    }
}
