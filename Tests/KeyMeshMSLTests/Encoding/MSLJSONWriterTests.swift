// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// The token writer builds JSON member by member; it must equal `MSLJSON.encode` of the same
/// object byte for byte (docs/MSL.md §1, §6).
@Suite("MSLJSONWriter: byte-identical to MSLJSON.encode")
struct MSLJSONWriterTests {
    static let identities = [
        "entity-1", "", "quote \" backslash \\ slash /", "controls \u{01}\u{08}\t\n\u{0C}\r\u{1F}\u{7F}",
        "unicode é ✓ 🐢 \u{2028}", String(repeating: "x\"", count: 700),
    ]

    @Test("session plaintext equals the sorted JSONValue encoding, with and without issuer data",
          arguments: identities)
    func sessionPlaintext(identity: String) {
        let keys = TokenFixtures.sessionKeys()
        let issuerData: JSONObject = ["b": .array([.int(-3), .null, .bool(true)]), "a": .string("x\u{0}y\"")]
        for data in [nil, issuerData, JSONObject()] {
            var object = TokenFixtures.sessionObject(keys: keys)
            object["identity"] = .string(identity)
            if let data { object["issuerdata"] = .object(data) }
            let written = MSLSessionData(identity: identity, keys: keys, issuerData: data).plaintext()
            #expect(written == MSLJSON.encode(.object(object)))
            #expect(!written.isEmpty)
        }
    }

    @Test("issuer data with an integer beyond 2^53 still has no encoding (empty plaintext)")
    func unencodableIssuerData() {
        let data: JSONObject = ["n": .int(MSLJSON.maxInteger + 1)]
        #expect(MSLSessionData(identity: "e", keys: TokenFixtures.sessionKeys(), issuerData: data).plaintext().isEmpty)
    }

    @Test("tokendata and envelope equal the JSONValue encoding at the integer extremes")
    func tokendataAndEnvelope() throws {
        let keys = TokenFixtures.issuerKeys("kid_\"odd\"\\/é")
        for (window, expiration, sequence, serial) in [(Int64(0), Int64(0), Int64(0), Int64(0)),
                                                       (-MSLJSON.maxInteger, MSLJSON.maxInteger, MSLJSON.maxInteger, 17),
                                                       (1_700_000_000, 1_700_003_600, 5, MSLJSON.maxInteger)] {
            let token = try MSLMasterToken.issue(
                identity: "entity-1", keys: TokenFixtures.sessionKeys(), issuerData: nil,
                renewalWindow: window, expiration: expiration, sequenceNumber: sequence, serialNumber: serial,
                issuerKeys: keys, random: SeededRandom(seed: 3))
            let parsed = try MSLJSON.parseObject(token.tokendata)
            let expected: JSONValue = [
                "renewalwindow": .int(window), "expiration": .int(expiration),
                "sequencenumber": .int(sequence), "serialnumber": .int(serial),
                "sessiondata": parsed["sessiondata"] ?? .null,
            ]
            #expect(token.tokendata == MSLJSON.encode(expected))
            let envelopeText = try #require(parsed["sessiondata"]?.stringValue)
            let envelope = try MSLBase64.decode(envelopeText)
            let fields = try MSLJSON.parseObject(envelope)
            let expectedEnvelope: JSONValue = [
                "keyid": .string(keys.keyID), "iv": fields["iv"] ?? .null,
                "ciphertext": fields["ciphertext"] ?? .null, "sha256": "AA==",
            ]
            #expect(envelope == MSLJSON.encode(expectedEnvelope))
            #expect(try MSLMasterToken.parse(token.json, issuerKeys: [keys]).isVerified)
        }
    }

    @Test("base64 appended in place equals MSLBase64.encode for every tail length")
    func base64Tails() {
        let random = SeededRandom(seed: 9)
        for count in 0..<70 {
            let bytes = random.bytes(count: count)
            var writer = MSLJSONWriter(capacity: 8)
            writer.base64("v", bytes)
            let expected = MSLJSON.encode(["v": .string(MSLBase64.encode(bytes))])
            #expect(writer.finish() == expected, "\(count) bytes")
        }
    }
}
