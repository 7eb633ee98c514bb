// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// 20,000 seeded mutations of valid key request data, key response data and master tokens for
/// every scheme and mechanism, at every level (the offer and its keydata, the response and its
/// keydata, the token, its `tokendata` re-signed, its session data re-sealed and re-signed):
/// never a trap, every failure a code the reader documents (docs/MSL.md §9), and a required member
/// deleted or mistyped is exactly that level's parse error (§2, §6). Replay with the seed.
@Suite("Hostile MSL: seeded mutations of every structure (docs/MSL.md §1, §2, §6, §12)")
struct MSLMutationTests {
    typealias K = MSLMutator.Kind

    /// One mutable object and how to read it back after mutation.
    struct Level {
        let name: String
        let object: JSONObject
        let types: [String: K]
        let required: Set<String>
        let code: MSLErrorCode
        let allowed: Set<MSLErrorCode>
        /// Rebuilds the document around the mutated bytes and reads it.
        let read: ([UInt8]) throws(MSLError) -> Void
    }

    static func embed(_ object: JSONObject, _ key: String, _ bytes: [UInt8]) -> [UInt8] {
        var copy = object
        copy[key] = "@@EMBED@@"
        let text = String(decoding: MSLJSON.encode(.object(copy)), as: UTF8.self)
        return Array(text.replacingOccurrences(of: "\"@@EMBED@@\"", with: String(decoding: bytes, as: UTF8.self)).utf8)
    }

    static func keydataTypes(_ keydata: JSONObject) -> [String: K] {
        Dictionary(keydata.keys.map { ($0, K.string) }, uniquingKeysWith: { a, _ in a })
    }

    static func levels() throws -> [Level] {
        let f = MSLFuzzFixture.shared
        let keys = [f.issuerKeys]
        var out: [Level] = []
        let offers = MSLSeedDocuments.offers + [("ecc", MSLSeedDocuments.rsaOffer(.ecc)),
                                                 ("session", MSLKeyRequestData.symmetricWrapped(keyID: .session).json)]
        for (name, offer) in offers {
            guard let object = offer.objectValue, let keydata = object["keydata"]?.objectValue else { continue }
            let parse: ([UInt8]) throws(MSLError) -> Void = { bytes throws(MSLError) in
                _ = try MSLKeyRequestData.parse(try MSLJSON.parse(bytes))
            }
            out.append(Level(name: "offer \(name)", object: object, types: ["scheme": .string, "keydata": .object],
                             required: ["scheme", "keydata"], code: .mslParseError, allowed: MSLFuzzCodes.request, read: parse))
            out.append(Level(name: "offer \(name) keydata", object: keydata, types: keydataTypes(keydata),
                             required: Set(keydata.keys), code: .mslParseError, allowed: MSLFuzzCodes.request,
                             read: { bytes throws(MSLError) in try parse(embed(object, "keydata", bytes)) }))
        }
        for (name, response) in try MSLSeedDocuments.responses() {
            guard let object = response.objectValue, let keydata = object["keydata"]?.objectValue else { continue }
            let parse: ([UInt8]) throws(MSLError) -> Void = { bytes throws(MSLError) in
                _ = try MSLKeyResponseData.parse(try MSLJSON.parse(bytes), issuerKeys: keys)
            }
            out.append(Level(name: "response \(name)", object: object,
                             types: ["mastertoken": .object, "scheme": .string, "keydata": .object],
                             required: ["mastertoken", "scheme", "keydata"], code: .mslParseError,
                             allowed: MSLFuzzCodes.response, read: parse))
            out.append(Level(name: "response \(name) keydata", object: keydata, types: keydataTypes(keydata),
                             required: Set(keydata.keys), code: .mslParseError, allowed: MSLFuzzCodes.response,
                             read: { bytes throws(MSLError) in try parse(embed(object, "keydata", bytes)) }))
        }
        let token = try MSLSeedDocuments.token()
        out.append(Level(name: "token", object: token.json.objectValue ?? [:], types: ["tokendata": .string, "signature": .string],
                         required: ["tokendata", "signature"], code: .mslParseError, allowed: MSLFuzzCodes.token,
                         read: { bytes throws(MSLError) in _ = try MSLMasterToken.parse(try MSLJSON.parse(bytes), issuerKeys: keys) }))
        let tokendata = try MSLSeedDocuments.tokendataObject()
        let numbers: [String: K] = ["renewalwindow": .int, "expiration": .int, "sequencenumber": .int, "serialnumber": .int]
        out.append(Level(name: "tokendata", object: tokendata, types: numbers.merging(["sessiondata": .string]) { a, _ in a },
                         required: Set(tokendata.keys), code: .mastertokenTokendataParseError, allowed: MSLFuzzCodes.token,
                         read: { bytes throws(MSLError) in _ = try MSLMasterToken.parse(f.signedToken(bytes), issuerKeys: keys) }))
        let session = try MSLJSON.parseObject(MSLSessionData(identity: f.identity, keys: .random(using: SeededRandom(seed: 1)),
                                                             issuerData: ["d": "x"]).plaintext())
        let sessionTypes: [String: K] = ["identity": .string, "encryptionkey": .string,
                                         "signaturekey": .string, "encryptionalgorithm": .string,
                                         "signaturealgorithm": .string, "issuerdata": .object]
        out.append(Level(name: "sessiondata", object: session, types: sessionTypes, required: ["identity", "encryptionkey"],
                         code: .mastertokenSessiondataParseError, allowed: MSLFuzzCodes.token,
                         read: { bytes throws(MSLError) in
                             let envelope = try MSLCiphertextEnvelope.seal(bytes, keys: f.issuerKeys, random: SeededRandom(seed: 2))
                             var data = tokendata
                             data["sessiondata"] = .string(MSLBase64.encode(envelope))
                             let token = try MSLMasterToken.parse(f.signedToken(MSLJSON.encode(.object(data))), issuerKeys: keys)
                             if token.session == nil { throw MSLError(.mastertokenUntrusted, "re-signed token not verified") }
                         }))
        return out
    }

    @Test("5,000 mutations per seed: documented codes only, required members are that level's parse error",
          arguments: [0x4D53_4C01, 0x4D53_4C02, 0x4D53_4C03, 0x4D53_4C04] as [UInt64])
    func mutations(seed: UInt64) throws {
        let levels = try Self.levels()
        #expect(levels.count == 2 * 9 + 2 * 7 + 3)
        let random = SeededRandom(seed: seed)
        var accepted = 0, refused = 0, requiredChecked = 0
        for round in 0..<5000 {
            let level = levels[round % levels.count]
            let mutator = MSLMutator(random: random, required: level.required, types: level.types)
            let mutation = mutator.mutate(level.object)
            do {
                try level.read(mutation.bytes)
                accepted += 1
                #expect(!mutation.breaksRequiredMember, "seed \(seed) round \(round) \(level.name) \(mutation.label): accepted")
            } catch {
                refused += 1
                #expect(level.allowed.contains(error.code),
                        "seed \(seed) round \(round) \(level.name) \(mutation.label): undocumented \(error)")
                if mutation.breaksRequiredMember {
                    requiredChecked += 1
                    #expect(error.code == level.code,
                            "seed \(seed) round \(round) \(level.name) \(mutation.label): \(error), not \(level.code.name)")
                }
            }
        }
        // the mix is real: some documents survive (white space in base64, 2^53, 1e3), most do not
        #expect(accepted > 100 && refused > 2500 && requiredChecked > 300, "\(accepted) \(refused) \(requiredChecked)")
    }
}
