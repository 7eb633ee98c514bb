// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

@testable import KeyMeshMSL

/// The fixed parties of the MSL fuzz harness (docs/MSL.md §3, §5, §13): issuer keys, an issuer
/// policy with group 14, MSL's `default1` and the pre-shared keys of `PSK-ESN`; a requester's
/// outstanding DH, RSA and PSK requests; and fixed requester keys (the vectors' RSA key, a
/// `default1` pair with a fixed exponent, `Kpw`) that seed responses are made for. Shared with
/// Fuzz/Sources/fuzz-msl by a link. Built once per process.
final class MSLFuzzFixture: Sendable {
    static let shared: MSLFuzzFixture = {
        do {
            return try MSLFuzzFixture()
        } catch {
            preconditionFailure("fixed fuzz keys are valid: \(error)") // test data
        }
    }()

    let issuerKeys: MSLIssuerKeys
    let default1: MSLDHParameters
    let policy: MSLIssuerPolicy
    /// Outstanding requests for `MSLRequester.complete` (their private keys are drawn fresh).
    let requests: [MSLKeyRequest]
    /// The fixed requester keys seed responses are made for.
    let dhPair: MSLDHKeyPair
    let rsaPair: MSLRSAKeyPair
    let pskWrappingKey: SecretBytes
    let identity = MSLFuzzKeys.pskIdentity
    /// The clock of every issue and renewal.
    static let now: Int64 = 1_800_000_000

    private init() throws {
        issuerKeys = try MSLIssuerKeys(keyID: "fuzz-issuer", encryptionKey: SecretBytes((0..<16).map { UInt8($0) }),
                                       hmacKey: SecretBytes((0..<32).map { UInt8($0) &* 7 &+ 1 }))
        default1 = try MSLDHParameters(id: "default1", pHex: MSLFuzzKeys.default1PrimeHex, gHex: "2")
        let psk = try MSLPreSharedKey.parse(MSLFuzzKeys.pskHex)
        policy = try MSLIssuerPolicy(renewalWindow: 60, lifetime: 120, dhParameters: [.rfc3526Group14, default1],
                                     preSharedKeys: [(MSLFuzzKeys.pskIdentity, psk)])
        requests = [
            try MSLKeyRequest.diffieHellman(parameters: default1),
            try MSLKeyRequest.diffieHellman(parameters: .rfc3526Group14),
            try MSLKeyRequest.asymmetricWrapped(mechanism: .rsa, keyPairID: "keymesh"),
            MSLKeyRequest.symmetricWrapped(preSharedKey: psk),
        ]
        dhPair = try MSLDHKeyPair(parameters: default1, privateExponent: [UInt8](hexString: MSLFuzzKeys.dhPrivateHex))
        rsaPair = try MSLRSAKeyPair(privateKeyDER: [UInt8](hexString: MSLFuzzKeys.rsaPrivateKeyHex))
        pskWrappingKey = psk.wrappingKey
    }

    /// An issuer whose randomness (serial numbers, session keys, IVs) is a fixed stream.
    func issuer() -> MSLIssuer {
        MSLIssuer(keys: issuerKeys, policy: policy, random: MSLFuzzing.FixedRandom(seed: 0x4D53_4C46))
    }

    /// `{"tokendata","signature"}` over `tokendata`, signed with the issuer's HMAC key, so the
    /// fuzzer reaches what lies behind the signature check (docs/MSL.md §6).
    func signedToken(_ tokendata: [UInt8]) -> JSONValue {
        let signature = MSLSignatureEnvelope.sign(tokendata, key: issuerKeys.hmacKey)
        return ["tokendata": .string(MSLBase64.encode(tokendata)), "signature": .string(MSLBase64.encode(signature))]
    }

    /// `token` with its `tokendata` re-signed by the issuer, when it has a decodable one.
    func resigned(_ token: JSONValue) -> JSONValue? {
        guard let text = token.objectValue?["tokendata"]?.stringValue,
              let tokendata = try? MSLBase64.decode(text), !tokendata.isEmpty
        else { return nil }
        return signedToken(tokendata)
    }
}

extension Array where Element == UInt8 {
    /// Hex of fixed test keys; a bad digit reads as zero (test data only).
    init(hexString: String) {
        let digits = Array(hexString.utf8)
        self = stride(from: 0, to: digits.count - 1, by: 2).map { i in
            UInt8(String(decoding: digits[i..<(i + 2)], as: UTF8.self), radix: 16) ?? 0
        }
    }
}
