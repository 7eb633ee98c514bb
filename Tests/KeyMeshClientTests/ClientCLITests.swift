// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshClient
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// The README's walk-through: `keymesh client` in two "terminals" through `keymesh serve`, and
/// a matrix-nio client (Peers/nio_chat.py) joining the conversation both ways.
@Suite("keymesh client: the command line against keymesh serve and matrix-nio")
struct ClientCLITests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-cli-\(UUID().uuidString)").path

    /// Runs `keymesh client`; a password goes in KEYMESH_PASSWORD, as flags show in the process list.
    func keymesh(_ profile: String, _ arguments: [String], server: Int, password: String? = nil) async throws -> CommandRun {
        var environment = ["KEYMESH_SERVER": "http://127.0.0.1:\(server)", "KEYMESH_PROFILE": "\(folder)/\(profile)"]
        if let password { environment["KEYMESH_PASSWORD"] = password }
        return try await CommandRun.run(ServeProcess.binary.path, ["client"] + arguments, environment: environment)
    }

    func startKeymesh(_ profile: String, _ arguments: [String], server: Int) throws -> CommandRun.Running {
        try CommandRun.start(ServeProcess.binary.path, ["client"] + arguments,
                             environment: ["KEYMESH_SERVER": "http://127.0.0.1:\(server)", "KEYMESH_PROFILE": "\(folder)/\(profile)"])
    }

    @Test("two terminals: register, send, listen, devices, verify; mistakes give one error line")
    func twoTerminals() async throws {
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: ServeProcess.temporaryDataDir())
        defer { try? server.stop(); try? FileManager.default.removeItem(atPath: folder) }

        let alice = try await keymesh("alice", ["register", "--user", "alice"], server: port, password: "pw-a")
        #expect(alice.status == 0, "\(alice.errors)")
        #expect(alice.lines.first?["user_id"] == "@alice:localhost")
        let bob = try await keymesh("bob", ["register", "--user", "bob"], server: port, password: "pw-b")
        let bobMaster = try #require(bob.lines.first?["master_key"]?.stringValue)

        let listening = try startKeymesh("bob", ["listen", "--count", "2", "--timeout", "30"], server: port)
        for text in ["hello bob", "second"] {
            let sent = try await keymesh("alice", ["send", "--to", "@bob:localhost", text], server: port)
            #expect(sent.status == 0, "\(sent.errors)")
            #expect(sent.lines.first?["sent"] == .array([bob.lines.first?["device_id"] ?? .null]))
        }
        let heard = listening.finish()
        #expect(heard.status == 0, "\(heard.errors)")
        #expect(heard.lines.map { $0["content"]?.objectValue?["body"] } == ["hello bob", "second"])
        #expect(heard.lines.allSatisfy { $0["sender"] == "@alice:localhost" && $0["type"] == "m.text" })

        // bob logs in a second device; alice's profile has not synced since, and still reaches it
        #expect(try await keymesh("bob2", ["login", "--user", "bob"], server: port, password: "pw-b").status == 0)
        let both = try await keymesh("alice", ["send", "--to", "@bob:localhost", "to both"], server: port)
        #expect(both.lines.first?["sent"]?.arrayValue?.count == 2, "\(both.lines)")
        #expect(try await keymesh("bob2", ["listen", "--count", "1", "--timeout", "10"], server: port).lines.first?["content"]?.objectValue?["body"] == "to both")
        #expect(try await keymesh("bob", ["listen", "--count", "1", "--timeout", "10"], server: port).lines.first?["content"]?.objectValue?["body"] == "to both")

        // nothing left: a listen with a timeout ends with status 3
        let nothing = try await keymesh("bob", ["listen", "--count", "1", "--timeout", "1"], server: port)
        #expect(nothing.status == 3)
        #expect(nothing.lines.isEmpty)

        // verification: a wrong key is refused, the right one signs; devices shows the trust
        #expect(try await keymesh("alice", ["verify", "@bob:localhost", "--master-key", "AAAA"], server: port).status == 1)
        let before = try await keymesh("alice", ["devices", "@bob:localhost"], server: port)
        let bobDevice = bob.lines.first?["device_id"]
        #expect(before.lines.first { $0["device_id"] == bobDevice }?["trust"] == "cross-signed")
        #expect(before.lines.first { $0["device_id"] != bobDevice }?["trust"] == "unverified")  // bob2: not cross-signed
        let verified = try await keymesh("alice", ["verify", "@bob:localhost", "--master-key", bobMaster], server: port)
        #expect(verified.status == 0, "\(verified.errors)")
        #expect(verified.errors.contains(Fingerprint.format(bobMaster)))  // the fingerprint was shown
        let after = try await keymesh("alice", ["devices", "@bob:localhost"], server: port)
        #expect(after.lines.first { $0["device_id"] == bobDevice }?["trust"] == "cross-signed-verified")
        #expect(try await keymesh("alice", ["send", "--trust", "verified", "--to", "@bob:localhost", "only verified"], server: port).status == 0)
        #expect(try await keymesh("bob", ["send", "--trust", "verified", "--to", "@alice:localhost", "not yet"], server: port).status == 1)

        // user mistakes: one "error:" line, status 1, no stack trace
        for (profile, arguments, password) in [("carol", ["send", "--to", "@bob:localhost", "x"], nil),
                                               ("alice", ["login", "--user", "alice"], "wrong"),
                                               ("alice", ["send", "--to", "@nobody:localhost", "x"], nil),
                                               ("bob", ["register", "--user", "bob"], "pw-b")] {
            let run = try await keymesh(profile, arguments, server: port, password: password)
            #expect(run.status == 1, "\(arguments)")
            #expect(run.errors.hasPrefix("error: ") && run.errors.split(separator: "\n").count == 1, "\(run.errors)")
        }
        #expect(try await keymesh("bob", ["listen", "--count", "0"], server: port).status == 64)  // a usage error
    }

    @Test("listen killed with SIGKILL while messages arrive: the next listen gets every message, none lost")
    func killed() async throws {
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: ServeProcess.temporaryDataDir())
        defer { try? server.stop(); try? FileManager.default.removeItem(atPath: folder) }
        #expect(try await keymesh("alice", ["register", "--user", "alice"], server: port, password: "pw-a").status == 0)
        #expect(try await keymesh("bob", ["register", "--user", "bob"], server: port, password: "pw-b").status == 0)
        var seen = Set<String>()
        for round in 0..<3 {
            let listening = try startKeymesh("bob", ["listen", "--timeout", "60"], server: port)
            for n in 0..<8 {
                let sent = try await keymesh("alice", ["send", "--to", "@bob:localhost", "r\(round)m\(n)"], server: port)
                #expect(sent.status == 0, "\(sent.errors)")
                if n == 3 + round { kill(listening.process.processIdentifier, SIGKILL) }  // mid-stream, mid-sync
            }
            let partial = listening.finish()
            #expect(listening.process.terminationReason == .uncaughtSignal)
            seen.formUnion(partial.lines.compactMap { $0["content"]?.objectValue?["body"]?.stringValue })
        }
        // whatever the kills interrupted, the store is consistent: every message still arrives
        let expected = Set((0..<3).flatMap { round in (0..<8).map { "r\(round)m\($0)" } })
        // (a message printed but not acknowledged before the kill comes again: at least once)
        let rest = try await keymesh("bob", ["listen", "--timeout", "6"], server: port)
        #expect(rest.status == 0, "\(rest.errors)")
        seen.formUnion(rest.lines.compactMap { $0["content"]?.objectValue?["body"]?.stringValue })
        #expect(seen == expected)
        // and the conversation goes on both ways
        #expect(try await keymesh("bob", ["send", "--to", "@alice:localhost", "still here"], server: port).status == 0)
        let heard = try await keymesh("alice", ["listen", "--count", "1", "--timeout", "20"], server: port)
        #expect(heard.lines.first?["content"]?.objectValue?["body"] == "still here")
    }

    @Test("a matrix-nio client joins the conversation both ways")
    func withMatrixNio() async throws {
        guard try PythonPeer.isAvailable("nio", peer: "matrix-nio") else { return }
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: ServeProcess.temporaryDataDir())
        defer { try? server.stop(); try? FileManager.default.removeItem(atPath: folder) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/nio_chat.py").path
        func nio(_ arguments: [String]) async throws -> CommandRun {
            try await CommandRun.run(PythonPeer.python, [script, "--server", "http://127.0.0.1:\(port)", "--user", "carol",
                                                   "--password", "pw-c", "--store", "\(folder)/nio"] + arguments)
        }

        #expect(try await keymesh("alice", ["register", "--user", "alice"], server: port, password: "pw-a").status == 0)
        let carol = try await nio(["register"])
        #expect(carol.status == 0, "\(carol.errors)")

        // KeyMesh → nio: nio decrypts, and the plaintext's keys match alice's published device keys
        let sent = try await keymesh("alice", ["send", "--to", "@carol:localhost", "hello from keymesh"], server: port)
        #expect(sent.status == 0, "\(sent.errors)")
        let heard = try await nio(["listen", "--count", "1", "--timeout", "20"])
        #expect(heard.status == 0, "\(heard.errors)")
        #expect(heard.lines.first?["content"]?.objectValue?["body"] == "hello from keymesh")
        #expect(heard.lines.first?["sender"] == "@alice:localhost")
        #expect(heard.lines.first?["olm_type"] == 0)
        #expect(heard.lines.first?["keys_match"] == true)

        // nio → KeyMesh, over the session alice opened (a normal message), then a second one
        let answer = try await nio(["send", "--to", "@alice:localhost", "--type", "m.text", "--text", "hello from nio", "--count", "2"])
        #expect(answer.status == 0, "\(answer.errors)")
        #expect(answer.lines.first?["olm_types"]?.objectValue?.first(where: { _ in true })?.value == 1)
        let received = try await keymesh("alice", ["listen", "--count", "2", "--timeout", "20"], server: port)
        #expect(received.status == 0, "\(received.errors)")
        #expect(received.lines.map { $0["content"]?.objectValue?["seq"] } == [0, 1])
        #expect(received.lines.allSatisfy { $0["sender"] == "@carol:localhost" && $0["content"]?.objectValue?["body"] == "hello from nio" })

        // and back again on the same session
        #expect(try await keymesh("alice", ["send", "--to", "@carol:localhost", "reply"], server: port).status == 0)
        let reply = try await nio(["listen", "--count", "1", "--timeout", "20"])
        #expect(reply.lines.first?["content"]?.objectValue?["body"] == "reply")
        #expect(reply.lines.first?["olm_type"] == 1)
    }
}
