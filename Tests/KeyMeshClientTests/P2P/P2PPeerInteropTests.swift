// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// The `keymesh` CLI against the independent Python peer (`Tests/KeyMeshP2PTests/Peers/p2p_peer.py`,
/// written from docs/P2P.md alone), in both roles, through `keymesh serve` and through Synapse:
/// authorisation (docs/P2P.md §7-§8), wrong codes (§7) and revocation (§9).
///
/// Serialized: each case runs a homeserver and up to three clients at once; four of those side
/// by side on a loaded two-core machine would only test the timeouts.
@Suite("P2P interop: the Swift CLI and the independent Python peer authorise and revoke each other", .serialized)
struct P2PPeerInteropTests {
    @Test("Swift authorises the Python peer: wrong VCS and VCM refused with nothing handed over, then the same master key, a contact trusts the device, and a Swift revoke reaches the listening Python device",
          arguments: InteropServerKind.allCases)
    func swiftAuthorisesPython(kind: InteropServerKind) async throws {
        try await InteropWorld.requirePython()
        try await InteropWorld.run(kind) { world in
            let alice = world.userID("alice")
            let old = try await world.keymesh("old", ["register", "--user", "alice"])
            #expect(old.status == 0, "\(old.errors)")
            let master = try #require(old.lines.first?["master_key"]?.stringValue, "\(old.output) \(old.errors)")
            let login = try await world.python("py", ["login", "--user", "alice"])
            #expect(login.status == 0, "\(login.errors)")
            #expect(login.lines.first?["user_id"]?.stringValue == alice)
            let pyDevice = try #require(login.lines.first?["device_id"]?.stringValue, "\(login.output) \(login.errors)")
            try await world.bobVerifies(alice, master: master)

            // a wrong code, in the VCS then in the VCM: both exit non-zero, nothing handed over
            for part in CodePart.allCases {
                let wrong = try await world.authorise(by: .swift("old"), joining: .python("py")) { $0.tampered(part) }
                #expect(wrong.code != nil, "\(wrong.authorize.errors)")
                #expect(wrong.join.status != 0, "\(part): \(wrong.join.output)")
                #expect(wrong.authorize.status != 0, "\(part): \(wrong.authorize.output)")
                #expect(!wrong.join.lines.contains { $0["event"] == "authorised" }, "\(part)")
                #expect(!wrong.authorize.lines.contains { $0["event"] == "authorised" }, "\(part)")
                let status = try await world.python("py", ["status"])
                #expect(status.status == 0 && status.lines.first?["master_key"] == .null, "\(part): \(status.output)")
            }
            #expect(try await world.bobsView(of: alice)[pyDevice] != "cross-signed-verified")

            // the right code
            let done = try await world.authorise(by: .swift("old"), joining: .python("py"))
            #expect(done.join.status == 0, "\(done.join.errors)")
            #expect(done.authorize.status == 0, "\(done.authorize.errors)")
            #expect(done.join.lines.last?["event"] == "authorised")
            #expect(done.join.lines.last?["master_key"]?.stringValue == master)
            #expect(done.authorize.lines.first?["device_id"]?.stringValue == pyDevice)
            #expect(done.authorize.lines.last == ["event": "authorised", "device_id": .string(pyDevice)])
            let status = try await world.python("py", ["status"])
            #expect(status.lines.first?["master_key"]?.stringValue == master, "\(status.output) \(status.errors)")
            #expect(status.lines.first?["device_id"]?.stringValue == pyDevice)
            #expect(try await world.contactsView(of: alice, master: master)[pyDevice] == "cross-signed-verified")
            try await world.staleContactKnownIssue(kind) {
                let view = try await world.bobsView(of: alice)
                #expect(view[pyDevice] == "cross-signed-verified", "\(view)")
            }

            // Swift revokes a third device while the Python device listens
            let thirdLogin = try await world.keymesh("third", ["login", "--user", "alice"])
            let thirdDevice = try #require(thirdLogin.lines.first?["device_id"]?.stringValue, "\(thirdLogin.errors)")
            #expect(try await world.authorise(by: .swift("old"), joining: .swift("third")).join.status == 0)
            let listening = try world.start(.python("py"), ["listen", "--timeout", "150"])
            let revoked = try await world.keymesh("old", ["revoke", thirdDevice, "--timeout", "120"])
            let rotated = revoked.status == 0 ? try await listening.line(event: "rotated", timeout: 150) : nil
            listening.kill()
            let listened = try await listening.finish()
            // (through Synapse, revoke once failed with a 500: it re-uploaded the unchanged master key)
            do {
                #expect(revoked.status == 0, "\(revoked.errors)")
                let event = try #require(revoked.lines.first { $0["event"] == "revoked" }, "\(revoked.output) \(revoked.errors)")
                let newSelfSigning = try #require(event["self_signing_key"]?.stringValue)
                #expect(event["master_key"]?.stringValue == master)
                #expect(event["resigned_devices"]?.arrayValue?.contains(.string(pyDevice)) == true, "\(event)")
                #expect(revoked.lines.contains(["event": "handed-over", "device_id": .string(pyDevice)]), "\(revoked.output)")
                #expect(rotated?["self_signing_key"]?.stringValue == newSelfSigning, "\(listened.output) \(listened.errors)")
                #expect(newSelfSigning != status.lines.first?["self_signing_key"]?.stringValue)
                let after = try await world.python("py", ["status"])
                #expect(after.lines.first?["self_signing_key"]?.stringValue == newSelfSigning)
                #expect(after.lines.first?["master_key"]?.stringValue == master)
                let view = try await world.contactsView(of: alice, master: master)
                #expect(view[pyDevice] == "cross-signed-verified", "\(view)")
                #expect(view[thirdDevice] == nil, "\(view)")
            }
        }
    }

    @Test("The Python peer authorises Swift: wrong VCS and VCM refused with nothing handed over, then Swift's join prints the Python master key, and after a Python revoke the listening Swift device holds the new keys",
          arguments: InteropServerKind.allCases)
    func pythonAuthorisesSwift(kind: InteropServerKind) async throws {
        try await InteropWorld.requirePython()
        try await InteropWorld.run(kind) { world in
            let alice = world.userID("alice")
            let registered = try await world.python("old", ["register", "--user", "alice"])
            #expect(registered.status == 0, "\(registered.errors)")
            #expect(registered.lines.first?["user_id"]?.stringValue == alice)
            let master = try #require(registered.lines.first?["master_key"]?.stringValue, "\(registered.output) \(registered.errors)")
            let login = try await world.keymesh("new", ["login", "--user", "alice"])
            #expect(login.status == 0, "\(login.errors)")
            #expect(login.lines.first?["master_key"] == nil)  // logged in: no secrets, and no new cross-signing keys
            let newDevice = try #require(login.lines.first?["device_id"]?.stringValue, "\(login.output) \(login.errors)")
            try await world.bobVerifies(alice, master: master)

            // a wrong code, in the VCS then in the VCM
            for part in CodePart.allCases {
                let wrong = try await world.authorise(by: .python("old"), joining: .swift("new")) { $0.tampered(part) }
                #expect(wrong.code != nil, "\(wrong.authorize.errors)")
                #expect(wrong.join.status != 0, "\(part): \(wrong.join.output)")
                #expect(wrong.authorize.status != 0, "\(part): \(wrong.authorize.output)")
                #expect(!wrong.join.lines.contains { $0["event"] == "authorised" }, "\(part)")
                #expect(!wrong.authorize.lines.contains { $0["event"] == "authorised" }, "\(part)")
                let noSecrets = try await world.keymesh("new", ["authorize", "--timeout", "5"])
                #expect(noSecrets.status == 1 && noSecrets.errors.contains("holds no cross-signing keys"), "\(part): \(noSecrets.errors)")
            }
            #expect(try await world.bobsView(of: alice)[newDevice] != "cross-signed-verified")

            // the right code
            let done = try await world.authorise(by: .python("old"), joining: .swift("new"))
            #expect(done.join.status == 0, "\(done.join.errors)")
            #expect(done.authorize.status == 0, "\(done.authorize.errors)")
            #expect(done.join.lines.last == ["event": "authorised", "master_key": .string(master)], "\(done.join.output)")
            #expect(done.authorize.lines.first?["device_id"]?.stringValue == newDevice)
            #expect(done.authorize.lines.last == ["event": "authorised", "device_id": .string(newDevice)])
            #expect(try await world.contactsView(of: alice, master: master)[newDevice] == "cross-signed-verified")
            try await world.staleContactKnownIssue(kind) {
                let view = try await world.bobsView(of: alice)
                #expect(view[newDevice] == "cross-signed-verified", "\(view)")
            }

            // Python revokes a third device while the Swift device listens
            let thirdLogin = try await world.keymesh("third", ["login", "--user", "alice"])
            let thirdDevice = try #require(thirdLogin.lines.first?["device_id"]?.stringValue, "\(thirdLogin.errors)")
            #expect(try await world.authorise(by: .swift("new"), joining: .swift("third")).join.status == 0)
            // listen runs to its --timeout (rotations print nothing): the hand-over must fit in it
            let listening = try world.start(.swift("new"), ["listen", "--timeout", "75"])
            let revoked = try await world.python("old", ["revoke", "--device", thirdDevice, "--timeout", "60"])
            let listened = try await listening.finish(timeout: 180)
            #expect(revoked.status == 0, "\(revoked.errors)")
            let event = try #require(revoked.lines.first { $0["event"] == "revoked" }, "\(revoked.output) \(revoked.errors)")
            let newSelfSigning = try #require(event["self_signing_key"]?.stringValue)
            #expect(event["handovers"]?.arrayValue?.contains(.string(newDevice)) == true, "\(event)")
            #expect(revoked.lines.contains(["event": "handed-over", "device_id": .string(newDevice)]), "\(revoked.output)")
            #expect(listened.status == 0, "\(listened.errors)")
            // the Swift device took the new secrets: a device it authorises gets keys that match /keys/query
            let fourth = try await world.python("fourth", ["login", "--user", "alice"])
            let fourthDevice = try #require(fourth.lines.first?["device_id"]?.stringValue, "\(fourth.errors)")
            let handedOn = try await world.authorise(by: .swift("new"), joining: .python("fourth"))
            #expect(handedOn.join.status == 0, "\(handedOn.join.errors)")
            #expect(handedOn.authorize.status == 0, "\(handedOn.authorize.errors)")
            let status = try await world.python("fourth", ["status"])
            #expect(status.lines.first?["self_signing_key"]?.stringValue == newSelfSigning, "\(status.output)")
            #expect(status.lines.first?["master_key"]?.stringValue == master)
            let view = try await world.contactsView(of: alice, master: master)
            #expect(view[newDevice] == "cross-signed-verified", "\(view)")
            #expect(view[fourthDevice] == "cross-signed-verified", "\(view)")
            #expect(view[thirdDevice] == nil, "\(view)")
        }
    }
}

/// The homeserver a scenario runs through.
enum InteropServerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case keymeshServe = "keymesh serve"
    case synapse = "Synapse"

    var testDescription: String { rawValue }
}

/// The half of the code a wrong-code run changes (docs/P2P.md §7: VCS checked by the joiner, VCM by the authoriser).
enum CodePart: String, CaseIterable, Sendable {
    case vcs, vcm
}

extension String {
    /// The code with one symbol of `part` replaced by the next one of the alphabet (docs/P2P.md §7).
    func tampered(_ part: CodePart) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var symbols = Array(self)
        let index = part == .vcs ? 2 : 8  // "XXXXX-XXXXX"
        guard symbols.count == 11, let at = alphabet.firstIndex(of: symbols[index]) else { return "not-a-code" }
        symbols[index] = alphabet[(at + 1) % alphabet.count]
        return String(symbols)
    }
}

/// One device in a scenario: a `keymesh` profile, or a Python peer's state folder.
enum InteropDevice {
    case swift(String)
    case python(String)
}

/// A homeserver and the folder of every device's profile or state, with ways to run either implementation.
struct InteropWorld: @unchecked Sendable {
    let url: String
    let serverName: String
    let folder: String
    private let stopServer: @Sendable () async -> Void

    static let alicePassword = "alice-password-1"
    static let bobPassword = "bob-password-1"
    static var peerScript: String {
        PythonPeer.packageRoot.appendingPathComponent("Tests/KeyMeshP2PTests/Peers/p2p_peer.py").path
    }

    /// Fails (never skips) when the peer's Python packages are missing.
    static func requirePython() async throws {
        let check = try await CommandRun.run(PythonPeer.python, ["-c", "import nacl.signing, cryptography"], timeout: 120)
        try #require(check.status == 0, "PyNaCl and cryptography are missing for \(PythonPeer.python): run `bash scripts/setup --peers` (\(check.errors))")
    }

    /// Starts a server of `kind`, runs `body`, and stops it whether `body` throws or not.
    static func run(_ kind: InteropServerKind, _ body: (InteropWorld) async throws -> Void) async throws {
        let world = try await start(kind)
        do {
            try await body(world)
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    private static func start(_ kind: InteropServerKind) async throws -> InteropWorld {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keymesh-p2p-interop-\(UUID().uuidString)").path
        switch kind {
        case .keymeshServe:
            let port = ServeProcess.freePort()
            let dataDir = ServeProcess.temporaryDataDir()
            let process = try await ServeProcess.start(port: port, dataDir: dataDir).process
            return InteropWorld(url: "http://127.0.0.1:\(port)", serverName: "localhost", folder: folder) {
                if process.isRunning { process.terminate() }
                for _ in 0..<300 where process.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                try? FileManager.default.removeItem(atPath: dataDir)
            }
        case .synapse:
            let synapse = try await SynapseProcess.start(timeout: .seconds(240))
            return InteropWorld(url: synapse.baseURL.absoluteString, serverName: synapse.serverName, folder: folder) {
                await synapse.stop()
            }
        }
    }

    private init(url: String, serverName: String, folder: String, stop: @escaping @Sendable () async -> Void) {
        self.url = url
        self.serverName = serverName
        self.folder = folder
        stopServer = stop
    }

    private func stop() async {
        await stopServer()
        try? FileManager.default.removeItem(atPath: folder)
    }

    func userID(_ localpart: String) -> String { "@\(localpart):\(serverName)" }

    private func environment(_ profile: String, password: String) -> [String: String] {
        ["KEYMESH_SERVER": url, "KEYMESH_PROFILE": "\(folder)/\(profile)", "KEYMESH_PASSWORD": password]
    }

    /// `keymesh client …` on `profile`, waited for off the cooperative pool.
    func keymesh(_ profile: String, _ arguments: [String], password: String = alicePassword) async throws -> CommandRun {
        try await CommandRun.run(ServeProcess.binary.path, ["client"] + arguments,
                                 environment: environment(profile, password: password), timeout: 240)
    }

    /// `p2p_peer.py … <arguments>` on the state folder `state`.
    func python(_ state: String, _ arguments: [String]) async throws -> CommandRun {
        try await CommandRun.run(PythonPeer.python, [Self.peerScript, "--server", url, "--state", "\(folder)/py-\(state)"] + arguments,
                                 environment: ["KEYMESH_PASSWORD": Self.alicePassword], timeout: 240)
    }

    /// Starts `arguments` (join, authorize, listen) on `device`, to type into and read as it runs.
    func start(_ device: InteropDevice, _ arguments: [String]) throws -> InteractiveRun {
        switch device {
        case .swift(let profile):
            return try InteractiveRun(ServeProcess.binary.path, ["client"] + arguments,
                                      environment: environment(profile, password: Self.alicePassword))
        case .python(let state):
            return try InteractiveRun(PythonPeer.python, [Self.peerScript, "--server", url, "--state", "\(folder)/py-\(state)"] + arguments,
                                      environment: ["KEYMESH_PASSWORD": Self.alicePassword])
        }
    }

    /// Runs `join` on `joining` then `authorize` on `by`, and types the code the authoriser shows
    /// (changed by `edit`) on the joiner, as a person would (docs/P2P.md §7).
    func authorise(by authoriser: InteropDevice, joining joiner: InteropDevice, timeout: Int = 120,
                   edit: (String) -> String = { $0 }) async throws -> (join: CommandRun, authorize: CommandRun, code: String?) {
        let join = try start(joiner, ["join", "--timeout", "\(timeout)"])
        let waiting = try await join.line(event: "waiting-for-code", timeout: Double(timeout))
        #expect(waiting != nil, "join: \(join.errors)")
        let authorize = try start(authoriser, ["authorize", "--timeout", "\(timeout)"])
        let request = try await authorize.line(event: "request", timeout: Double(timeout))
        let code = request?["code"]?.stringValue
        if let code { join.type(edit(code)) } else { join.kill() }
        // each side ends on its own: a grant, a wrong code, the other's abort, or its --timeout
        let joined = try await join.finish(timeout: Double(timeout) + 60)
        return (joined, try await authorize.finish(timeout: Double(timeout) + 60), code)
    }

    /// bob registers and verifies `user` by its master key (`verify --master-key`).
    func bobVerifies(_ user: String, master: String) async throws {
        let bob = try await keymesh("bob", ["register", "--user", "bob"], password: Self.bobPassword)
        #expect(bob.status == 0, "\(bob.errors)")
        let verified = try await keymesh("bob", ["verify", user, "--master-key", master], password: Self.bobPassword)
        #expect(verified.status == 0, "\(verified.errors)")
    }

    /// How bob trusts each device of `user` (`keymesh client devices`): device id → trust.
    func bobsView(of user: String) async throws -> [String: String] {
        try await view(of: user, from: "bob")
    }

    /// The same through a contact who has never looked at `user` before: registers a new user,
    /// verifies `user` by `master`, lists the devices.
    func contactsView(of user: String, master: String) async throws -> [String: String] {
        let contact = "contact" + UUID().uuidString.prefix(8).lowercased()
        let registered = try await keymesh(contact, ["register", "--user", contact], password: Self.bobPassword)
        #expect(registered.status == 0, "\(registered.errors)")
        let verified = try await keymesh(contact, ["verify", user, "--master-key", master], password: Self.bobPassword)
        #expect(verified.status == 0, "\(verified.errors)")
        return try await view(of: user, from: contact)
    }

    /// The contact's view after `body` (once a known issue on Synapse: a cached device list was
    /// never refreshed; `devices` and `send` now query afresh, docs/CLIENT.md).
    func staleContactKnownIssue(_ kind: InteropServerKind, _ body: () async throws -> Void) async throws {
        try await body()
    }

    private func view(of user: String, from profile: String) async throws -> [String: String] {
        let run = try await keymesh(profile, ["devices", user], password: Self.bobPassword)
        #expect(run.status == 0, "\(run.errors)")
        return run.lines.reduce(into: [:]) { view, line in
            if let device = line["device_id"]?.stringValue { view[device] = line["trust"]?.stringValue ?? "?" }
        }
    }
}
