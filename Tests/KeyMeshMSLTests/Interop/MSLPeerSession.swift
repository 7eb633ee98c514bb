// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport

/// `keymesh msl respond` running for a test, and the independent Python requester
/// (Peers/msl_peer.py, written from docs/MSL.md alone) talking to it one exchange at a time.
final class MSLPeerSession: @unchecked Sendable {
    static let issuerKeys = "000102030405060708090a0b0c0d0e0f:202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    static let otherIssuerKeys = "ffeeddccbbaa99887766554433221100:0f0e0d0c0b0a09080706050403020100ffeeddccbbaa99887766554433221100"
    /// MSL's test entity PSK-ESN (docs/MSL.md §13).
    static let pskESN = "93359812d292b0f23c74e5b9632a082d:561c4d50aedb608702578c0b13660af74768d57dd7aa13de330c25966361f09c"
    static var peer: String { PythonPeer.packageRoot.appendingPathComponent("Tests/KeyMeshMSLTests/Peers/msl_peer.py").path }

    let respond: InteractiveRun
    private var answered = 0

    init(_ extra: [String] = [], keys: String = MSLPeerSession.issuerKeys) throws {
        respond = try InteractiveRun(ServeProcess.binary.path, ["msl", "respond", "--identity", "PSK-ESN",
                                                               "--psk", "PSK-ESN=\(Self.pskESN)",
                                                               "--msl-key-id", "interop", "--msl-keys", keys] + extra)
    }

    /// Sends one raw line to `respond` and returns its answer line.
    func answer(_ line: String) async throws -> String {
        respond.type(line)
        defer { answered += 1 }
        guard let reply = try await respond.rawLine(answered, timeout: 60) else {
            throw PythonPeerError.missing("keymesh msl respond gave no answer: \(respond.errors)")
        }
        return reply
    }

    /// One exchange: the Python `command` (request or renew-request) prints its offer, respond
    /// answers, Python prints its result. Returns (respond's answer, Python's result).
    func exchange(_ command: String, _ arguments: [String]) async throws -> (answer: JSONObject, result: JSONObject) {
        let python = try InteractiveRun(PythonPeer.python, [Self.peer, command] + arguments)
        guard let offer = try await python.rawLine(0, timeout: 60) else {
            throw PythonPeerError.missing("msl_peer.py printed no offer: \(python.errors)")
        }
        let answer = try await answer(offer)
        python.type(answer)
        python.closeInput()
        let run = try await python.finish(timeout: 60)
        guard let answerObject = try JSONParser.parse(answer).objectValue, let result = run.lines.last else {
            throw PythonPeerError.missing("no result from msl_peer.py: \(run.errors)")
        }
        return (answerObject, result)
    }

    /// Runs a one-shot Python peer command with `input` lines on its stdin.
    static func python(_ arguments: [String], input: [String] = []) async throws -> [JSONObject] {
        let run = try InteractiveRun(PythonPeer.python, [peer] + arguments)
        for line in input { run.type(line) }
        run.closeInput()
        return try await run.finish(timeout: 60).lines
    }

    func finish() async throws {
        respond.closeInput()
        _ = try await respond.finish(timeout: 30)
    }
}
