// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// The master tokens of `Vectors/msl-peer.json`, written by the independent Python peer from
/// docs/MSL.md (§6, §13).
@Suite("MSL master token known answers from the independent peer (docs/MSL.md §6, §13)")
struct MSLMasterTokenVectorTests {
    struct Token: Decodable { let tokendata: String; let signature: String }
    struct Keys: Decodable { let keyid: String; let encryptionkey: String; let hmackey: String }
    struct Expected: Decodable {
        let identity: String, encryptionkey: String, hmackey: String
        let renewalwindow: Int64, expiration: Int64, sequencenumber: Int64, serialnumber: Int64
    }
    struct Bad: Decodable { let comment: String; let mastertoken: Token; let error: String; let internalcode: Int }
    struct Section: Decodable {
        let issuer_keys: Keys
        let mastertoken: Token
        let mastertoken_v2: Token
        let expected: Expected
        let bad: [Bad]
    }
    struct File: Decodable { let mastertoken: Section }

    static func load() throws -> Section {
        try JSONDecoder().decode(File.self, from: VectorLoader.data("msl-peer.json", folder: "../Vectors")).mastertoken
    }

    static func json(_ token: Token) -> JSONValue { ["tokendata": .string(token.tokendata), "signature": .string(token.signature)] }

    static func issuerKeys(_ keys: Keys) throws -> MSLIssuerKeys {
        try MSLIssuerKeys(keyID: keys.keyid, encryptionKey: SecretBytes([UInt8](hex: keys.encryptionkey)),
                          hmacKey: SecretBytes([UInt8](hex: keys.hmackey)))
    }

    @Test("version 1 and version 2 tokens decode to the expected fields and keys, and write back unchanged")
    func good() throws {
        let vector = try Self.load()
        let keys = try Self.issuerKeys(vector.issuer_keys)
        let e = vector.expected
        for wire in [vector.mastertoken, vector.mastertoken_v2] {
            let token = try MSLMasterToken.parse(Self.json(wire), issuerKeys: [keys])
            #expect(token.isVerified)
            #expect(token.renewalWindow == e.renewalwindow && token.expiration == e.expiration)
            #expect(token.sequenceNumber == e.sequencenumber && token.serialNumber == e.serialnumber)
            #expect(token.session?.identity == e.identity)
            #expect(token.session?.keys.encryptionKey.unsafeExportSecret().hex == e.encryptionkey)
            #expect(token.session?.keys.hmacKey.unsafeExportSecret().hex == e.hmackey)
            #expect(token.json == Self.json(wire))
            let other = try MSLIssuerKeys.random(keyID: vector.issuer_keys.keyid)
            #expect(try MSLMasterToken.parse(Self.json(wire), issuerKeys: [other]).isVerified == false)
        }
    }

    @Test("every bad token is refused by an issuer with its error code")
    func bad() throws {
        let vector = try Self.load()
        let issuer = MSLIssuer(keys: try Self.issuerKeys(vector.issuer_keys), policy: try MSLIssuerPolicy())
        #expect(vector.bad.count >= 10)
        for bad in vector.bad {
            do throws(MSLError) {
                _ = try issuer.verify(masterToken: Self.json(bad.mastertoken))
                Issue.record("accepted: \(bad.comment)")
            } catch {
                #expect(error.code.name == bad.error, "\(bad.comment)")
                #expect(error.internalCode == bad.internalcode, "\(bad.comment)")
            }
        }
    }
}
