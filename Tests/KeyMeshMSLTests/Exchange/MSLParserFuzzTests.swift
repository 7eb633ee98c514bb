// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// Seeded byte mutations of valid MSL documents: every reader either accepts or throws an
/// `MSLError`, never traps (docs/MSL.md §12). Replay a failure with the printed seed.
@Suite("MSL readers under seeded mutation (docs/MSL.md §2, §6, §12)")
struct MSLParserFuzzTests {
    typealias F = ExchangeFixtures

    static let alphabet = Array("{}[]\",:0-9eAZ=+/\\ ".utf8)

    static func mutate(_ bytes: [UInt8], random: SeededRandom) -> [UInt8] {
        var out = bytes
        for _ in 0..<(1 + random.next(below: 4)) {
            guard !out.isEmpty else { break }
            let at = random.next(below: out.count)
            switch random.next(below: 4) {
            case 0: out[at] = UInt8(truncatingIfNeeded: random.next())
            case 1: out.remove(at: at)
            case 2: out.insert(alphabet[random.next(below: alphabet.count)], at: at)
            default: out[at] ^= UInt8(1 << random.next(below: 8))
            }
        }
        return out
    }

    @Test("mutated key request, key response and token documents only ever throw MSLError", arguments: [1, 2, 3] as [UInt64])
    func mutations(seed: UInt64) throws {
        let random = SeededRandom(seed: seed)
        let issuer = try F.issuer()
        let request = MSLKeyRequest.symmetricWrapped(preSharedKey: F.psk())
        let issuance = try issuer.issue(offers: [request.keyRequestData], identity: F.identity, issuerData: ["a": 1], now: 9)
        let documents: [[UInt8]] = [
            MSLJSON.encode(request.keyRequestData), MSLJSON.encode(F.dhOffer()), MSLJSON.encode(F.rsaOffer()),
            MSLJSON.encode(issuance.keyResponseData), MSLJSON.encode(issuance.masterToken.json),
        ]
        var accepted = 0
        for round in 0..<1500 {
            let document = documents[round % documents.count]
            let mutated = Self.mutate(document, random: random)
            guard let value = try? MSLJSON.parse(mutated) else { continue }
            if (try? MSLKeyRequestData.parse(value)) != nil { accepted += 1 }
            if (try? MSLKeyResponseData.parse(value, issuerKeys: issuer.verificationKeys)) != nil { accepted += 1 }
            if (try? MSLMasterToken.parse(value, issuerKeys: issuer.verificationKeys)) != nil { accepted += 1 }
            _ = try? issuer.renew(offers: [request.keyRequestData], masterToken: value, now: 10)
            _ = try? MSLRequester.complete(response: value, requests: [request], issuerKeys: issuer.verificationKeys)
            // the token inside a mutated response, too
            if let token = value.objectValue?["mastertoken"] { _ = try? issuer.verify(masterToken: token) }
        }
        // the mutations are small: some documents stay acceptable
        #expect(accepted > 0, "seed \(seed)")
    }
}
