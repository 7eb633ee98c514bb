// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshTestSupport

/// Issuers and offers for the exchange tests (docs/MSL.md §3, §5, §7).
enum ExchangeFixtures {
    static let identity = "entity-1"

    static func psk(seed: UInt8 = 3) -> MSLPreSharedKey {
        guard let key = try? MSLPreSharedKey(encryptionKey: SecretBytes([UInt8](repeating: seed, count: 16)),
                                             hmacKey: SecretBytes([UInt8](repeating: seed &+ 1, count: 32)))
        else { preconditionFailure("fixed test keys are valid") } // test data
        return key
    }

    static func issuer(psks: [(identity: String, keys: MSLPreSharedKey)] = [(identity, psk())],
                       keys: MSLIssuerKeys = TokenFixtures.issuerKeys(), accepted: [MSLIssuerKeys] = [],
                       order: [MSLScheme] = MSLScheme.preferenceOrder) throws -> MSLIssuer {
        let policy = try MSLIssuerPolicy(renewalWindow: 60, lifetime: 120, preSharedKeys: psks, schemeOrder: order)
        return MSLIssuer(keys: keys, acceptedKeys: accepted, policy: policy, random: SeededRandom(seed: 99))
    }

    static let pskOffer: JSONValue = ["scheme": "SYMMETRIC_WRAPPED", "keydata": ["keyid": "PSK"]]
    static let sessionOffer: JSONValue = ["scheme": "SYMMETRIC_WRAPPED", "keydata": ["keyid": "SESSION"]]
    static let ladderOffer: JSONValue = ["scheme": "JWE_LADDER", "keydata": [:]]

    static func dhOffer(id: String = "rfc3526-modp2048", publicValue: [UInt8] = [0, 5]) -> JSONValue {
        ["scheme": "DIFFIE_HELLMAN", "keydata": ["parametersid": .string(id), "publickey": .string(MSLBase64.encode(publicValue))]]
    }

    static func rsaOffer(mechanism: String = "RSA", key: [UInt8] = [0x30, 0x00]) -> JSONValue {
        ["scheme": "ASYMMETRIC_WRAPPED",
         "keydata": ["keypairid": "kp", "mechanism": .string(mechanism), "publickey": .string(MSLBase64.encode(key))]]
    }
}
