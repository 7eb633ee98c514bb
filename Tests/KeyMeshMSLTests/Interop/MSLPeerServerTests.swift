// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The independent Python peer (Peers/msl_peer.py, written from docs/MSL.md alone) against the
/// real `keymesh serve` issuer (docs/MSL.md §11): a token for the device's access token, two
/// renewals signed with the session key, and the first token replayed afterwards.
@Suite("MSL interop: the independent Python peer against keymesh serve", .serialized)
struct MSLPeerServerTests {
    static func register(port: Int) async throws -> String {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/_matrix/client/v3/register"))
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(#"{"username":"mslpeer","password":"pw","auth":{"type":"m.login.dummy"}}"#.utf8)
        let (data, _) = try await URLSession.shared.data(for: request)
        return try #require(try JSONParser.parse(Array(data)).objectValue?["access_token"]?.stringValue)
    }

    @Test("token, two renewals and a replay through keymesh serve, for DH and every RSA mechanism")
    func serverFlow() async throws {
        guard try MSLPeerInteropTests.available() else { return }
        let dataDir = ServeProcess.temporaryDataDir()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: dataDir)
        defer { try? server.stop() }
        let token = try await Self.register(port: port)
        let offers: [[String]] = [["--scheme", "DIFFIE_HELLMAN"]]
            + ["RSA", "JWK_RSA", "JWK_RSAES", "JWE_RSA", "JWEJS_RSA"].map { ["--scheme", "ASYMMETRIC_WRAPPED", "--mechanism", $0] }
        for offer in offers {
            let run = try await CommandRun.run(PythonPeer.python,
                                               [MSLPeerSession.peer, "server-token", "--url", "http://127.0.0.1:\(port)",
                                                "--access-token-env", "MSL_PEER_TOKEN", "--renewals", "2", "--replay-old"] + offer,
                                               environment: ["MSL_PEER_TOKEN": token], timeout: 120)
            let steps = run.lines
            try #require(steps.count == 4, "\(offer): \(run.output) \(run.errors)")
            #expect(steps[0]["step"]?.stringValue == "token")
            for step in steps[0..<3] {
                #expect(step["ok"] == true, "\(offer): \(step)")
            }
            #expect(steps[0]["sequencenumber"] == 0)
            #expect(steps[1]["sequencenumber"] == 1)
            #expect(steps[2]["sequencenumber"] == 2)
            #expect(steps[1]["serialnumber"] == steps[0]["serialnumber"])
            #expect(steps[2]["serialnumber"] == steps[0]["serialnumber"])
            #expect(steps[1]["encryptionkey"] != steps[0]["encryptionkey"])
            #expect(steps[3]["ok"] == false)
            #expect(steps[3]["internalcode"] == 101_009, "\(offer): \(steps[3])")
        }
    }
}
