// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// `keymesh msl respond` against the independent Python requester and token verifier
/// (Peers/msl_peer.py, written from docs/MSL.md alone with PyCA `cryptography`): both sides must
/// hold the same session keys, and the Python verifier must read our master tokens (docs/MSL.md §6).
@Suite("MSL interop with the independent Python peer", .serialized)
struct MSLPeerInteropTests {
    static let default1 = "default1=C2048E076B268761DB1427BA3AD98473D32B0ABDEE98C0827923426F294EDA3392BF0032A1D8092055B58BAA07586A7D3E271C39A8C891F5CEEA4DEBDFA6B023:02"
    static let issuer = ["--msl-key-id", "interop", "--msl-keys", MSLPeerSession.issuerKeys]

    static let offers: [[String]] = [
        ["--scheme", "DIFFIE_HELLMAN"],
        ["--scheme", "DIFFIE_HELLMAN", "--parametersid", "default1", "--dh", default1],
        ["--scheme", "ASYMMETRIC_WRAPPED", "--mechanism", "RSA"],
        ["--scheme", "ASYMMETRIC_WRAPPED", "--mechanism", "JWK_RSA"],
        ["--scheme", "ASYMMETRIC_WRAPPED", "--mechanism", "JWK_RSAES"],
        ["--scheme", "ASYMMETRIC_WRAPPED", "--mechanism", "JWE_RSA"],
        ["--scheme", "ASYMMETRIC_WRAPPED", "--mechanism", "JWEJS_RSA"],
        ["--scheme", "SYMMETRIC_WRAPPED", "--identity", "PSK-ESN", "--psk", MSLPeerSession.pskESN],
    ]

    static func available() throws -> Bool { try PythonPeer.isAvailable("cryptography", peer: "cryptography (PyCA)") }

    @Test("Every scheme and mechanism: the Python requester and our issuer hold the same keys, and it reads our token",
          arguments: offers)
    func everyScheme(_ offer: [String]) async throws {
        guard try Self.available() else { return }
        let session = try MSLPeerSession(["--dh", Self.default1])
        let (answer, result) = try await session.exchange("request", offer + Self.issuer)
        try await session.finish()
        #expect(answer["ok"] == true, "respond refused: \(answer)")
        #expect(result["ok"] == true, "peer refused: \(result)")
        #expect(answer["scheme"]?.stringValue == offer[1])
        let encryptionKey = try #require(answer["encryptionkey"]?.stringValue)
        #expect(encryptionKey.count == 32)
        #expect(result["encryptionkey"]?.stringValue == encryptionKey)
        #expect(result["hmackey"]?.stringValue == answer["hmackey"]?.stringValue)
        let token = try #require(result["mastertoken"]?.objectValue)
        #expect(token["verified"] == true)
        #expect(token["identity"]?.stringValue == "PSK-ESN")
        #expect(token["encryptionkey"]?.stringValue == encryptionKey)
        #expect(token["sequencenumber"] == 0)
    }

    @Test("Renewal through the Python peer keeps the serial number, advances the sequence; the old token is then refused")
    func renewal() async throws {
        guard try Self.available() else { return }
        let session = try MSLPeerSession()
        let first = try await session.exchange("request", ["--scheme", "DIFFIE_HELLMAN"] + Self.issuer)
        let firstToken = try #require(first.answer["keyresponsedata"]?.objectValue?["mastertoken"])
        let file = try Self.write(firstToken)
        let renewed = try await session.exchange("renew-request",
                                                 ["--scheme", "ASYMMETRIC_WRAPPED", "--mechanism", "JWE_RSA",
                                                  "--mastertoken-file", file] + Self.issuer)
        #expect(renewed.answer["ok"] == true, "renewal refused: \(renewed.answer)")
        #expect(renewed.result["encryptionkey"]?.stringValue == renewed.answer["encryptionkey"]?.stringValue)
        let before = try #require(first.result["mastertoken"]?.objectValue)
        let after = try #require(renewed.result["mastertoken"]?.objectValue)
        #expect(after["serialnumber"] == before["serialnumber"])
        #expect(after["sequencenumber"] == 1)
        #expect(after["identity"]?.stringValue == "PSK-ESN")
        // The first token is no longer the newest of its lineage (docs/MSL.md §7).
        let again = try await session.exchange("renew-request", ["--scheme", "DIFFIE_HELLMAN", "--mastertoken-file", file])
        try await session.finish()
        #expect(again.answer["ok"] == false)
        #expect(again.answer["internalcode"] == 101_009)
        #expect(again.answer["error"]?.stringValue == "MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_SYNC")
    }

    @Test("A token the Python peer minted with our issuer keys is read and renewed, its sequence wrapping from 2^53 to 0")
    func pythonMintedToken() async throws {
        guard try Self.available() else { return }
        let minted = try await MSLPeerSession.python(["mint-token", "--identity", "minted-entity", "--renewal-window", "1700000000",
                                                      "--expiration", "1700000060", "--sequence", "9007199254740992",
                                                      "--serial", "4242"] + Self.issuer)
        let token = try #require(minted.first?["mastertoken"])
        let session = try MSLPeerSession()
        let renewed = try await session.exchange("renew-request", ["--scheme", "DIFFIE_HELLMAN", "--mastertoken-file",
                                                                   try Self.write(token)] + Self.issuer)
        try await session.finish()
        #expect(renewed.answer["ok"] == true, "an expired token of ours must renew: \(renewed.answer)")
        let after = try #require(renewed.result["mastertoken"]?.objectValue)
        #expect(after["sequencenumber"] == 0)
        #expect(after["serialnumber"] == 4242)
        #expect(after["identity"]?.stringValue == "minted-entity")
        let now = Int64(Date().timeIntervalSince1970)
        #expect((after["expiration"]?.intValue ?? 0) > now)
    }

    @Test("A token minted under another issuer's keys is MASTERTOKEN_UNTRUSTED")
    func foreignToken() async throws {
        guard try Self.available() else { return }
        let minted = try await MSLPeerSession.python(["mint-token", "--identity", "PSK-ESN", "--renewal-window", "1700000000",
                                                      "--expiration", "1700000060", "--sequence", "0", "--serial", "1",
                                                      "--msl-key-id", "interop", "--msl-keys", MSLPeerSession.otherIssuerKeys])
        let token = try #require(minted.first?["mastertoken"])
        let session = try MSLPeerSession()
        let renewed = try await session.exchange("renew-request", ["--scheme", "DIFFIE_HELLMAN", "--mastertoken-file",
                                                                   try Self.write(token)])
        try await session.finish()
        #expect(renewed.answer["ok"] == false)
        #expect(renewed.answer["internalcode"] == 101_000)
        #expect(renewed.result["ok"] == false)
    }

    @Test("Several offers: the issuer prefers DIFFIE_HELLMAN and the Python peer completes the matching offer")
    func severalOffers() async throws {
        guard try Self.available() else { return }
        let session = try MSLPeerSession()
        let (answer, result) = try await session.exchange("request", ["--scheme", "ASYMMETRIC_WRAPPED", "--mechanism", "JWK_RSA",
                                                                      "--offer-also", "DIFFIE_HELLMAN"] + Self.issuer)
        try await session.finish()
        #expect(answer["scheme"]?.stringValue == "DIFFIE_HELLMAN")
        #expect(result["ok"] == true, "\(result)")
        #expect(result["hmackey"]?.stringValue == answer["hmackey"]?.stringValue)
    }

    @Test("The Python verifier reads our token and refuses it when one byte of tokendata changes")
    func tamperedToken() async throws {
        guard try Self.available() else { return }
        let session = try MSLPeerSession()
        let (answer, _) = try await session.exchange("request", ["--scheme", "DIFFIE_HELLMAN"] + Self.issuer)
        try await session.finish()
        let token = try #require(answer["keyresponsedata"]?.objectValue?["mastertoken"]?.objectValue)
        let tokendata = try #require(token["tokendata"]?.stringValue)
        var bytes = try #require(Data(base64Encoded: tokendata))
        bytes[bytes.count / 2] ^= 0x01
        var tampered = token
        tampered["tokendata"] = .string(bytes.base64EncodedString())
        let lines = try await MSLPeerSession.python(["verify"] + Self.issuer,
                                                    input: [try CanonicalJSON.string(.object(token)),
                                                            try CanonicalJSON.string(.object(tampered))])
        #expect(lines.count == 2)
        #expect(lines.first?["ok"] == true)
        #expect(lines.first?["identity"]?.stringValue == "PSK-ESN")
        #expect(lines.last?["ok"] == false)
    }

    static func write(_ token: JSONValue) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("msl-token-\(UUID().uuidString).json").path
        try Data(CanonicalJSON.encode(token)).write(to: URL(fileURLWithPath: path))
        return path
    }
}
