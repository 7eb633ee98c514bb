// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// `keymesh msl respond` and `request` as processes (docs/MSL.md §10): every error the reference
/// lists for key exchange comes back as its line, and the command keeps answering.
@Suite("keymesh msl respond/request")
struct MSLRespondCLITests {
    static let dhOffer = #"{"scheme":"DIFFIE_HELLMAN","keydata":{"parametersid":"rfc3526-modp2048","publickey":"AAI="}}"#

    /// Lines in, answer lines out, one `respond` process.
    static func respond(_ lines: [String], _ arguments: [String] = []) async throws -> [JSONObject] {
        let run = try InteractiveRun(ServeProcess.binary.path, ["msl", "respond"] + arguments)
        for line in lines { run.type(line) }
        run.closeInput()
        let result = try await run.finish(timeout: 60)
        #expect(result.status == 0, "respond ended with \(result.status): \(result.errors)")
        return result.lines
    }

    static let refusals: [(line: String, code: Int64, name: String)] = [
        (#"{"scheme":"FOO","keydata":{}}"#, 107_000, "UNIDENTIFIED_KEYX_SCHEME"),
        (#"{"scheme":"DH","keydata":{"parametersid":"x","publickey":"AAI="}}"#, 107_000, "UNIDENTIFIED_KEYX_SCHEME"),
        (#"{"scheme":"JWE_LADDER","keydata":{"mechanism":"PSK"}}"#, 107_001, "KEYX_FACTORY_NOT_FOUND"),
        (#"{"scheme":"SYMMETRIC_WRAPPED","keydata":{"keyid":"FOO"}}"#, 107_003, "UNIDENTIFIED_KEYX_KEY_ID"),
        (#"{"scheme":"SYMMETRIC_WRAPPED","keydata":{"keyid":"PSK"}}"#, 107_004, "UNSUPPORTED_KEYX_KEY_ID"),
        (#"{"scheme":"ASYMMETRIC_WRAPPED","keydata":{"keypairid":"k","mechanism":"FOO","publickey":"AAI="}}"#, 107_005, "UNIDENTIFIED_KEYX_MECHANISM"),
        (#"{"scheme":"ASYMMETRIC_WRAPPED","keydata":{"keypairid":"k","mechanism":"ECC","publickey":"AAI="}}"#, 107_006, "UNSUPPORTED_KEYX_MECHANISM"),
        (#"{"scheme":"ASYMMETRIC_WRAPPED","keydata":{"keypairid":"k","mechanism":"RSA","publickey":"AAI="}}"#, 100_003, "INVALID_PUBLIC_KEY"),
        (#"{"scheme":"DIFFIE_HELLMAN","keydata":{"parametersid":"nope","publickey":"AAI="}}"#, 107_009, "UNKNOWN_KEYX_PARAMETERS_ID"),
        (#"{"scheme":"SYMMETRIC_WRAPPED","keydata":{"keyid":"SESSION"}}"#, 107_010, "KEYX_MASTER_TOKEN_MISSING"),
        (#"{"scheme":"DIFFIE_HELLMAN","keydata":{"parametersid":"rfc3526-modp2048","publickey":""}}"#, 107_011, "KEYX_INVALID_PUBLIC_KEY"),
        (#"{"scheme":"DIFFIE_HELLMAN","keydata":{"parametersid":"rfc3526-modp2048","publickey":"AAE="}}"#, 107_011, "KEYX_INVALID_PUBLIC_KEY"),
        (#"{"scheme":"DIFFIE_HELLMAN","keydata":{"parametersid":"rfc3526-modp2048","publickey":"AAI"}}"#, 100_000, "MSL_PARSE_ERROR"),
        (#"{"scheme":"DIFFIE_HELLMAN","keydata":{"parametersid":"rfc3526-modp2048","publickey":"-_8="}}"#, 100_000, "MSL_PARSE_ERROR"),
        (#"{"scheme":"DIFFIE_HELLMAN"}"#, 100_000, "MSL_PARSE_ERROR"),
        (#"{"scheme":7,"keydata":{}}"#, 100_000, "MSL_PARSE_ERROR"),
        (#"[]"#, 100_000, "MSL_PARSE_ERROR"),
        ("not json", 100_000, "MSL_PARSE_ERROR"),
        (#"{"keyrequestdata":{"scheme":"SYMMETRIC_WRAPPED","keydata":{"keyid":"PSK"}},"mastertoken":{"tokendata":"","signature":""}}"#,
         101_010, "MASTERTOKEN_TOKENDATA_MISSING"),
    ]

    @Test("Each refusal is one line with MSL's internal code, and a good line after them is still answered")
    func refusals() async throws {
        let lines = Self.refusals.map(\.line) + [String(repeating: "x", count: 70_000), Self.dhOffer]
        let answers = try await Self.respond(lines)
        try #require(answers.count == lines.count)
        for (expected, answer) in zip(Self.refusals, answers) {
            #expect(answer["ok"] == false, "\(expected.line)")
            #expect(answer["internalcode"]?.intValue == expected.code, "\(expected.line) → \(answer)")
            #expect(answer["error"]?.stringValue == expected.name, "\(expected.line)")
        }
        #expect(answers[Self.refusals.count]["internalcode"] == 100_000)  // over 64 KiB
        #expect(answers.last?["ok"] == true)
        #expect(answers.last?["scheme"]?.stringValue == "DIFFIE_HELLMAN")
    }

    @Test("PSK: an entity without pre-shared keys is ENTITY_NOT_FOUND; SESSION with a token is WRAP_NOT_SUPPORTED")
    func preSharedKeys() async throws {
        let psk = "e1=000102030405060708090a0b0c0d0e0f:000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
        let other = try await Self.respond([#"{"scheme":"SYMMETRIC_WRAPPED","keydata":{"keyid":"PSK"}}"#],
                                           ["--identity", "e2", "--psk", psk])
        #expect(other.first?["internalcode"] == 104_005)
        let keys = ["--msl-keys", "0f0e0d0c0b0a09080706050403020100:000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"]
        let answers = try await Self.respond([#"{"scheme":"SYMMETRIC_WRAPPED","keydata":{"keyid":"PSK"}}"#], ["--psk", psk] + keys)
        #expect(answers.first?["ok"] == true, "the one --psk entity is the default identity")
        let token = try #require(answers.first?["keyresponsedata"]?.objectValue?["mastertoken"])
        let session = #"{"keyrequestdata":{"scheme":"SYMMETRIC_WRAPPED","keydata":{"keyid":"SESSION"}},"mastertoken":"#
            + (try CanonicalJSON.string(token)) + "}"
        // Another process with the same issuer keys reads the token; a session has no wrapping key.
        let refused = try await Self.respond([session], ["--psk", psk] + keys)
        #expect(refused.first?["internalcode"] == 100_027)
        // A process with other (random) issuer keys does not trust the token at all.
        let untrusted = try await Self.respond([session], ["--psk", psk])
        #expect(untrusted.first?["internalcode"] == 101_000)
    }

    @Test("Our requester and our issuer agree through the binary; the token verifies with the issuer keys",
          arguments: [["--scheme", "DIFFIE_HELLMAN"], ["--scheme", "ASYMMETRIC_WRAPPED", "--mechanism", "JWEJS_RSA"],
                      ["--scheme", "SYMMETRIC_WRAPPED", "--psk",
                       "000102030405060708090a0b0c0d0e0f:000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"]])
    func requestAndRespond(_ scheme: [String]) async throws {
        let keys = ["--msl-key-id", "k1", "--msl-keys",
                    "0f0e0d0c0b0a09080706050403020100:000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"]
        let psk = "e1=000102030405060708090a0b0c0d0e0f:000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
        let request = try InteractiveRun(ServeProcess.binary.path, ["msl", "request"] + scheme + keys)
        let offer = try #require(try await request.rawLine(0))
        let answers = try await Self.respond([offer], keys + ["--psk", psk, "--identity", "e1"])
        let answer = try #require(answers.first)
        request.type(try CanonicalJSON.string(.object(answer)))
        request.closeInput()
        let result = try await request.finish(timeout: 60)
        let line = try #require(result.lines.last)
        #expect(line["ok"] == true, "\(line)")
        #expect(line["encryptionkey"] == answer["encryptionkey"])
        #expect(line["hmackey"] == answer["hmackey"])
        let token = try #require(line["mastertoken"]?.objectValue)
        #expect(token["verified"] == true)
        #expect(token["identity"]?.stringValue == "e1")
        #expect(token["hmackey"] == answer["hmackey"])
    }

    @Test("request passes a refusal line through, and refuses a response for another request")
    func requestRefusals() async throws {
        let passed = try InteractiveRun(ServeProcess.binary.path, ["msl", "request", "--scheme", "DIFFIE_HELLMAN"])
        _ = try await passed.rawLine(0)
        passed.type(#"{"ok":false,"internalcode":107000,"error":"UNIDENTIFIED_KEYX_SCHEME"}"#)
        passed.closeInput()
        #expect(try await passed.finish().lines.last?["internalcode"] == 107_000)

        // A DH answer to an RSA request: no outstanding request fits.
        let dh = try await Self.respond([Self.dhOffer.replacingOccurrences(of: "AAI=", with: "AAM=")])
        let rsa = try InteractiveRun(ServeProcess.binary.path, ["msl", "request", "--scheme", "ASYMMETRIC_WRAPPED"])
        _ = try await rsa.rawLine(0)
        rsa.type(try CanonicalJSON.string(.object(try #require(dh.first))))
        rsa.closeInput()
        #expect(try await rsa.finish().lines.last?["internalcode"] == 107_007)
    }

    @Test("Bad flags end with a usage error, never a trap")
    func badFlags() async throws {
        for arguments in [["msl", "respond", "--msl-keys", "00:11"], ["msl", "respond", "--dh", "x=zz:02"],
                          ["msl", "request", "--scheme", "NOPE"], ["msl", "respond", "--renewal-window", "10", "--expiration", "5"],
                          ["msl", "request", "--scheme", "DIFFIE_HELLMAN", "--parametersid", "unknown"]] {
            let run = try await CommandRun.run(ServeProcess.binary.path, arguments, timeout: 30)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.status < 128, "\(arguments) trapped: \(run.errors)")
        }
    }
}
