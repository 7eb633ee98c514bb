// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshMatrixAPI
import KeyMeshServer
import KeyMeshTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `keymesh serve` as an MSL issuer (docs/MSL.md §7, §8, §11): the issuer key file,
/// and several processes on one database renewing each other's tokens.
@Suite("keymesh serve: MSL issuer across processes", .serialized)
struct MSLServeProcessTests {
    /// POSTs MSL JSON to `/_keymesh/msl/v1/<endpoint>` on `port`.
    static func post(_ port: Int, _ endpoint: String, token: String? = nil, _ body: JSONObject) async throws -> (Int, JSONObject) {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/_keymesh/msl/v1/\(endpoint)"))
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(MSLJSON.encode(.object(body)))
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try MSLJSON.parse(Array(data)).objectValue ?? [:])
    }

    /// Issues a DH token to `user` on `port`, opened with `keys`.
    static func issue(_ port: Int, _ user: TestUser, keys: MSLIssuerKeys) async throws -> (MSLSessionKeys, MSLMasterToken) {
        let request = try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14)
        let (status, body) = try await post(port, "token", token: user.token, ["keyrequestdata": [request.keyRequestData]])
        try #require(status == 200, "\(body)")
        let (session, token) = try MSLRequester.complete(response: try #require(body["keyresponsedata"]), requests: [request], issuerKeys: [keys])
        return (session, token)
    }

    /// Renews `token` on `port`: the status, and the new keys and token on success.
    static func renew(_ port: Int, _ token: MSLMasterToken, _ session: MSLSessionKeys, keys: MSLIssuerKeys)
        async throws -> (Int, JSONObject, (MSLSessionKeys, MSLMasterToken)?) {
        let request = try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14)
        let header = MSLJSON.encode(.object(["keyrequestdata": [request.keyRequestData], "timestamp": .int(Int64(Date().timeIntervalSince1970))]))
        let (status, body) = try await post(port, "renew", [
            "mastertoken": token.json, "headerdata": .string(MSLBase64.encode(header)),
            "signature": .string(MSLBase64.encode(HMACSHA256.mac(key: session.hmacKey, message: header))),
        ])
        guard status == 200, let response = body["keyresponsedata"] else { return (status, body, nil) }
        return (status, body, try MSLRequester.complete(response: response, requests: [request], issuerKeys: [keys]))
    }

    @Test("two processes started together on one data directory create one key file (0600) and renew each other's tokens")
    func twoProcesses() async throws {
        let dataDir = ServeProcess.temporaryDataDir()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let (portA, portB) = (ServeProcess.freePort(), ServeProcess.freePort())
        async let startA = ServeProcess.start(port: portA, dataDir: dataDir)
        async let startB = ServeProcess.start(port: portB, dataDir: dataDir)
        var (a, b) = try await (startA, startB)
        defer { try? a.stop(); try? b.stop() }
        let path = dataDir + "/msl-issuer.key"
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let keys = try MSLKeyFile.read(path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dataDir).filter { $0.contains(".tmp-") }.isEmpty)

        let alice = try await HTTPClient(port: portA).register("alice")
        let (session, token) = try await Self.issue(portA, alice, keys: keys)
        #expect(token.isVerified, "A issued under the shared file's keys")
        let (status, body, renewed) = try await Self.renew(portB, token, session, keys: keys)
        #expect(status == 200, "\(body)")
        let (newSession, newToken) = try #require(renewed)
        #expect(newToken.serialNumber == token.serialNumber)
        #expect(newToken.sequenceNumber == 1)
        let (old, oldBody, _) = try await Self.renew(portA, token, session, keys: keys)
        #expect(old == 401)
        #expect(oldBody["internalcode"]?.intValue == 101_009)

        // 8 concurrent renewals of the newest token, alternating between the processes
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<8 {
                group.addTask { try await Self.renew(n % 2 == 0 ? portA : portB, newToken, newSession, keys: keys).0 }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
        #expect(statuses.filter { $0 == 401 }.count == 7, "\(statuses)")
    }

    @Test("the created key file is kept across a restart: a token issued before renews after")
    func restart() async throws {
        let dataDir = ServeProcess.temporaryDataDir()
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let port = ServeProcess.freePort()
        var server = try await ServeProcess.start(port: port, dataDir: dataDir)
        let path = dataDir + "/msl-issuer.key"
        let before = try #require(FileManager.default.contents(atPath: path))
        let keys = try MSLKeyFile.read(path)
        let alice = try await HTTPClient(port: port).register("alice")
        let (session, token) = try await Self.issue(port, alice, keys: keys)
        try server.stop()
        server = try await ServeProcess.start(port: port, dataDir: dataDir)
        defer { try? server.stop() }
        #expect(FileManager.default.contents(atPath: path) == before)
        let (status, body, renewed) = try await Self.renew(port, token, session, keys: keys)
        #expect(status == 200, "\(body)")
        #expect(renewed?.1.sequenceNumber == 1)
    }

    @Test("--msl-keys-file and KEYMESH_MSL_KEYS give the keys (no file is created); malformed keys stop the server")
    func givenKeys() async throws {
        let keys = try MSLIssuerKeys.random(keyID: "given")
        let folder = ServeProcess.temporaryDataDir()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let keyFile = folder + "/keys"
        try Data((keys.keyID + "\n" + keys.unsafeExportLine().split(separator: " ")[1] + "\n").utf8).write(to: URL(fileURLWithPath: keyFile))

        for (extra, environment) in [(["--msl-keys-file", keyFile], [String: String]()), ([], ["KEYMESH_MSL_KEYS": keys.unsafeExportLine()])] {
            let dataDir = folder + "/data-\(UUID().uuidString)"
            let port = ServeProcess.freePort()
            let process = try ServeProcess.launch(["--port", "\(port)", "--data-dir", dataDir, "--password-strength", "minimum",
                                                   "--register-rate", "0"] + extra, environment: environment)
            var server = ServeProcess(process: process)
            defer { try? server.stop() }
            #expect(try await ServeProcess.versionsStatus(port: port) == 200)
            #expect(!FileManager.default.fileExists(atPath: dataDir + "/msl-issuer.key"))
            let alice = try await HTTPClient(port: port).register("alice")
            let (_, token) = try await Self.issue(port, alice, keys: keys)
            #expect(token.isVerified, "issued under the given keys")
        }

        try Data("given 00:11\n".utf8).write(to: URL(fileURLWithPath: keyFile))
        for (extra, environment) in [(["--msl-keys-file", keyFile], [String: String]()),
                                     (["--msl-keys-file", folder + "/missing"], [:]),
                                     ([], ["KEYMESH_MSL_KEYS": "given nothex:nothex"]),
                                     (["--msl-renewal-window", "100", "--msl-lifetime", "50"], [:])] {
            let run = try await CommandRun.run(ServeProcess.binary.path, ["serve", "--port", "\(ServeProcess.freePort())",
                                                                          "--data-dir", folder + "/bad"] + extra, environment: environment, timeout: 60)
            #expect(run.status != 0, "\(extra) \(environment.keys)")
            #expect(!run.errors.contains("nothex") && !run.errors.contains(keys.unsafeExportLine()), "keys never echoed")
        }
    }
}
