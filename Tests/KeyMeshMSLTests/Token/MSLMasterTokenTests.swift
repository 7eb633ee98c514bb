// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshCrypto
import KeyMeshMatrixAPI
import Foundation
import Testing

@Suite("MSL master token issue, verify, re-serialise (docs/MSL.md §6)")
struct MSLMasterTokenTests {
    let keys = TokenFixtures.issuerKeys()

    @Test("an issued token parses, verifies and decrypts under the issuer keys")
    func roundTrip() throws {
        let issued = try TokenFixtures.issued()
        let parsed = try MSLMasterToken.parse(issued.json, issuerKeys: [TokenFixtures.issuerKeys("other", seed: 9), keys])
        #expect(parsed.isVerified)
        #expect(parsed.verifiedKeyID == "kid-1")
        #expect(parsed.renewalWindow == 100 && parsed.expiration == 200)
        #expect(parsed.sequenceNumber == 5 && parsed.serialNumber == 77)
        #expect(parsed.session?.identity == "entity-1")
        #expect(parsed.session?.keys == TokenFixtures.sessionKeys())
        #expect(parsed.session?.issuerData == ["user_id": "@a:b"])
        let envelope = try MSLObjectReader(bytes: try MSLObjectReader(bytes: parsed.tokendata, code: .mslParseError)
            .binary("sessiondata"), code: .mslParseError)
        #expect(try envelope.string("keyid") == "kid-1")
        #expect(try envelope.binary("sha256") == [0])
        #expect(try envelope.binary("iv").count == 16)
        #expect(parsed.signature.count == 32)
    }

    @Test("a parsed token is written back byte for byte, never re-signed")
    func reserialise() throws {
        let issued = try TokenFixtures.issued()
        // spaces and a line break inside the base64, which §1 skips
        var b64 = MSLBase64.encode(issued.tokendata)
        b64.insert(contentsOf: "\r\n ", at: b64.index(b64.startIndex, offsetBy: 8))
        let wire: JSONValue = ["tokendata": .string(b64), "signature": .string(MSLBase64.encode(issued.signature))]
        let parsed = try MSLMasterToken.parse(wire, issuerKeys: [keys])
        #expect(parsed.tokendata == issued.tokendata)
        #expect(parsed.signature == issued.signature)
        #expect(parsed.json == issued.json)
        let again = try MSLMasterToken.parse(parsed.json, issuerKeys: [])
        #expect(again.tokendata == issued.tokendata && again.signature == issued.signature)
        #expect(!again.isVerified && again.session == nil)
    }

    @Test("one flipped byte of tokendata or signature leaves the token unverified")
    func tamper() throws {
        let issued = try TokenFixtures.issued()
        var signature = issued.signature
        signature[31] ^= 0x01
        let badSignature = try MSLMasterToken.parse(
            ["tokendata": .string(MSLBase64.encode(issued.tokendata)), "signature": .string(MSLBase64.encode(signature))],
            issuerKeys: [keys])
        #expect(!badSignature.isVerified && badSignature.session == nil)
        // flip a digit of the expiration: still JSON, different bytes
        let text = String(decoding: issued.tokendata, as: UTF8.self).replacingOccurrences200()
        let badData = try MSLMasterToken.parse(
            ["tokendata": .string(MSLBase64.encode(Array(text.utf8))), "signature": .string(MSLBase64.encode(issued.signature))],
            issuerKeys: [keys])
        #expect(!badData.isVerified && badData.expiration == 201)
    }

    @Test("a token from another issuer's keys is not verified")
    func otherIssuer() throws {
        let other = TokenFixtures.issuerKeys("kid-1", seed: 50)
        let foreign = try TokenFixtures.issued(keys: other)
        let parsed = try MSLMasterToken.parse(foreign.json, issuerKeys: [keys])
        #expect(!parsed.isVerified && parsed.session == nil)
        #expect(parsed.sequenceNumber == 5)
    }

    @Test("version 2 signature and ciphertext envelopes are read")
    func version2() throws {
        let session = MSLJSON.encode(.object(TokenFixtures.sessionObject()))
        let v1 = try MSLObjectReader(bytes: try TokenFixtures.envelope(session), code: .mslParseError)
        let v2 = MSLJSON.encode([
            "version": 2, "cipherspec": "AES/CBC/PKCS5Padding",
            "iv": .string(MSLBase64.encode(try v1.binary("iv"))),
            "ciphertext": .string(MSLBase64.encode(try v1.binary("ciphertext"))),
        ])
        let tokendata = MSLJSON.encode(.object(try TokenFixtures.tokendataObject(sessiondata: v2)))
        let mac = MSLSignatureEnvelope.sign(tokendata, key: keys.hmacKey)
        let sigV2 = MSLJSON.encode(["version": 2, "algorithm": "HmacSHA256", "signature": .string(MSLBase64.encode(mac))])
        let parsed = try MSLMasterToken.parse(
            ["tokendata": .string(MSLBase64.encode(tokendata)), "signature": .string(MSLBase64.encode(sigV2))],
            issuerKeys: [keys])
        #expect(parsed.isVerified)
        #expect(parsed.session?.keys == TokenFixtures.sessionKeys())
        #expect(parsed.signature == sigV2)
    }

    @Test("signaturekey wins over hmackey; hmackey serves when signaturekey is absent")
    func signatureKeyChoice() throws {
        var object = TokenFixtures.sessionObject()
        object["hmackey"] = "AAAA"
        let withBoth = try MSLMasterToken.parse(try TokenFixtures.token(session: MSLJSON.encode(.object(object))), issuerKeys: [keys])
        #expect(withBoth.session?.keys == TokenFixtures.sessionKeys())
        object = TokenFixtures.sessionObject()
        object["signaturekey"] = nil
        object["encryptionalgorithm"] = nil
        object["signaturealgorithm"] = nil
        let hmacOnly = try MSLMasterToken.parse(try TokenFixtures.token(session: MSLJSON.encode(.object(object))), issuerKeys: [keys])
        #expect(hmacOnly.session?.keys == TokenFixtures.sessionKeys())
    }

    @Test("a token too large for a reader's 8 KiB strings is refused when issued; the largest one issued reads back")
    func sizeLimit() throws {
        func issue(identityBytes: Int) throws -> MSLMasterToken {
            try MSLMasterToken.issue(
                identity: String(repeating: "i", count: identityBytes), keys: TokenFixtures.sessionKeys(), issuerData: nil,
                renewalWindow: 1, expiration: 2, sequenceNumber: 0, serialNumber: 0, issuerKeys: keys)
        }
        #expect(throws: MSLError(.mastertokenIssuerdataEncodeError)) { try issue(identityBytes: 4000) }
        #expect(throws: MSLError(.mslParseError)) { try issue(identityBytes: 8193) }
        var largest = 0
        for size in stride(from: 2000, through: 4000, by: 100) where (try? issue(identityBytes: size)) != nil { largest = size }
        #expect(largest >= 2500)
        let token = try issue(identityBytes: largest)
        let wire = try MSLJSON.parse(MSLJSON.encode(token.json))
        #expect(try MSLMasterToken.parse(wire, issuerKeys: [keys]).session?.identity.utf8.count == largest)
    }

    @Test("issuer keys parse, refuse bad text and print only the key id")
    func issuerKeys() throws {
        let line = "kid-7 " + String(repeating: "ab", count: 16) + ":" + String(repeating: "cd", count: 32)
        let parsed = try MSLIssuerKeys.parse(line)
        #expect(parsed.keyID == "kid-7")
        #expect(parsed.encryptionKey == SecretBytes([UInt8](repeating: 0xAB, count: 16)))
        #expect(parsed.unsafeExportLine() == line)
        #expect(try MSLIssuerKeys.parse("kid-7\n" + line.dropFirst(6) + "\n").hmacKey == parsed.hmacKey)
        #expect(!"\(parsed)".contains("abab") && "\(parsed)".contains("kid-7"))
        for bad in ["kid", "kid ab:cd", line + " x", "kid " + String(repeating: "ab", count: 16) + String(repeating: "cd", count: 32),
                    "kid " + String(repeating: "ab", count: 15) + ":" + String(repeating: "cd", count: 32)] {
            #expect(throws: MSLError(.mslParseError)) { try MSLIssuerKeys.parse(bad) }
        }
        let r1 = try MSLIssuerKeys.random(keyID: "k")
        let r2 = try MSLIssuerKeys.random(keyID: "k")
        #expect(r1.encryptionKey != r2.encryptionKey && r1.hmacKey.count == 32)
    }
}

private extension String {
    /// The tokendata with `"expiration":200` changed to 201.
    func replacingOccurrences200() -> String {
        guard let range = range(of: "\"expiration\":200") else { return self }
        return replacingCharacters(in: range, with: "\"expiration\":201")
    }
}
