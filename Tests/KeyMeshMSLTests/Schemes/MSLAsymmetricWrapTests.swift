// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// docs/MSL.md §5.2: every mechanism against Python-made values, round trips and refusals.
@Suite("MSL asymmetric wrap")
struct MSLAsymmetricWrapTests {
    static let mechanisms: [MSLAsymmetricMechanism] = [.rsa, .jwkRSA, .jwkRSAES, .jweRSA, .jwejsRSA]

    let vectors: SchemeVectors
    let keyPair: MSLRSAKeyPair

    init() throws {
        vectors = try SchemeVectors.load()
        keyPair = try MSLRSAKeyPair(privateKeyDER: [UInt8](hex: vectors.rsa.private_pkcs8))
    }

    @Test("Python's wrapped keys unwrap, for every mechanism", arguments: mechanisms)
    func vector(mechanism: MSLAsymmetricMechanism) throws {
        #expect(keyPair.publicKeyDER.hex == vectors.rsa.public_spki)
        let wrapped = try #require(vectors.rsa.mechanisms[mechanism.rawValue])
        let keys = try MSLAsymmetricWrap.unwrap(encryptionKey: [UInt8](hex: wrapped.encryptionkey),
                                                hmacKey: [UInt8](hex: wrapped.hmackey),
                                                mechanism: mechanism, privateKey: keyPair)
        #expect(keys.encHex == vectors.rsa.kenc)
        #expect(keys.hmacHex == vectors.rsa.khmac)
    }

    @Test("Wrap then unwrap returns the keys, for every mechanism", arguments: mechanisms)
    func roundTrip(mechanism: MSLAsymmetricMechanism) throws {
        let keys = MSLSessionKeys.random()
        let wrapped = try MSLAsymmetricWrap.wrap(keys, mechanism: mechanism, publicKeyDER: keyPair.publicKeyDER)
        #expect(wrapped.encryptionKey != wrapped.hmacKey)
        let back = try MSLAsymmetricWrap.unwrap(encryptionKey: wrapped.encryptionKey, hmacKey: wrapped.hmacKey,
                                                mechanism: mechanism, privateKey: keyPair)
        #expect(back == keys)
        let again = try MSLAsymmetricWrap.wrap(keys, mechanism: mechanism, publicKeyDER: keyPair.publicKeyDER)
        #expect(again.encryptionKey != wrapped.encryptionKey)   // randomised padding / CEK
    }

    @Test("A fresh 2048-bit key pair works for every mechanism; another key pair cannot unwrap")
    func freshKeyPair() throws {
        let fresh = try MSLRSAKeyPair()
        #expect(fresh.publicKeyDER.count > 256 && fresh.publicKeyDER != keyPair.publicKeyDER)
        for mechanism in Self.mechanisms {
            let keys = MSLSessionKeys.random()
            let wrapped = try MSLAsymmetricWrap.wrap(keys, mechanism: mechanism, publicKeyDER: fresh.publicKeyDER)
            #expect(try MSLAsymmetricWrap.unwrap(encryptionKey: wrapped.encryptionKey, hmacKey: wrapped.hmacKey,
                                                 mechanism: mechanism, privateKey: fresh) == keys)
            let wrong = mslCode { () throws(MSLError) in
                try MSLAsymmetricWrap.unwrap(encryptionKey: wrapped.encryptionKey, hmacKey: wrapped.hmacKey,
                                             mechanism: mechanism, privateKey: keyPair)
            }
            #expect(wrong == .ciphertextBadPadding, "\(mechanism)")
        }
    }

    @Test("Python-made wrapped values with bad content give the §5.2 errors")
    func negatives() throws {
        #expect(vectors.rsa.negatives.count >= 15)
        let good = try MSLAsymmetricWrap.wrap(MSLSessionKeys.random(), mechanism: .rsa,
                                              publicKeyDER: keyPair.publicKeyDER).hmacKey
        for negative in vectors.rsa.negatives {
            let mechanism = try MSLAsymmetricMechanism.parse(negative.mechanism)
            let code = mslCode { () throws(MSLError) in
                try MSLAsymmetricWrap.unwrap(encryptionKey: [UInt8](hex: negative.encryptionkey), hmacKey: good,
                                             mechanism: mechanism, privateKey: keyPair)
            }
            #expect(code?.name == negative.error, "\(negative.mechanism) \(negative.error)")
        }
    }

    @Test("A tampered or truncated wrapped key is refused, for every mechanism", arguments: mechanisms)
    func tampered(mechanism: MSLAsymmetricMechanism) throws {
        let wrapped = try MSLAsymmetricWrap.wrap(MSLSessionKeys.random(), mechanism: mechanism,
                                                 publicKeyDER: keyPair.publicKeyDER)
        let isJWE = mechanism == .jweRSA || mechanism == .jwejsRSA
        func code(_ enc: [UInt8], _ hmac: [UInt8]) -> MSLErrorCode? {
            mslCode { () throws(MSLError) in
                try MSLAsymmetricWrap.unwrap(encryptionKey: enc, hmacKey: hmac, mechanism: mechanism,
                                             privateKey: keyPair)
            }
        }
        var flipped = wrapped.hmacKey
        flipped[flipped.count / 2] ^= 0x01
        let flippedCode = code(wrapped.encryptionKey, flipped)
        if isJWE {
            // Where the flipped byte lands decides the code; MSLJWETests checks each part exactly.
            #expect([.jweParseError, .ciphertextBadPadding, .unwrapError].contains(flippedCode))
        } else {
            #expect(flippedCode == .ciphertextBadPadding)
        }
        #expect(code(Array(wrapped.encryptionKey.dropLast()), wrapped.hmacKey)
            == (isJWE ? .jweParseError : .ciphertextBadPadding))
        #expect(code([], wrapped.hmacKey) == (isJWE ? .jweParseError : .ciphertextBadPadding))
        #expect(code(wrapped.encryptionKey, wrapped.encryptionKey) == .sessionKeyCreationFailure)
    }

    @Test("Unusable public keys are INVALID_PUBLIC_KEY; ECC is UNSUPPORTED_KEYX_MECHANISM")
    func publicKeys() throws {
        let spki = [UInt8](hex: vectors.rsa.public_spki)
        let bad: [[UInt8]] = [[UInt8](hex: vectors.rsa.rsa1024_spki), [UInt8](hex: vectors.rsa.ec_p256_spki),
                              [UInt8](hex: vectors.rsa.rsa2048_pkcs1_public), [], [0x30, 0x00],
                              Array(spki.dropLast()), spki + [0], [UInt8](repeating: 0x30, count: 5000)]
        let keys = MSLSessionKeys.random()
        for der in bad {
            for mechanism in Self.mechanisms {
                #expect(mslCode { () throws(MSLError) in
                    try MSLAsymmetricWrap.wrap(keys, mechanism: mechanism, publicKeyDER: der)
                } == .invalidPublicKey)
            }
        }
        #expect(mslCode { () throws(MSLError) in try MSLAsymmetricWrap.wrap(keys, mechanism: .ecc, publicKeyDER: spki) }
            == .unsupportedKeyxMechanism)
        #expect(mslCode { () throws(MSLError) in
            try MSLAsymmetricWrap.unwrap(encryptionKey: [1], hmacKey: [1], mechanism: .ecc, privateKey: keyPair)
        } == .unsupportedKeyxMechanism)
    }

    @Test("Mechanism names: exact bytes; ECC 7006, anything else 7005")
    func mechanismNames() {
        for mechanism in Self.mechanisms {
            #expect(mslCode { () throws(MSLError) in try MSLAsymmetricMechanism.parse(mechanism.rawValue) } == nil)
        }
        #expect(mslCode { () throws(MSLError) in try MSLAsymmetricMechanism.parse("ECC") } == .unsupportedKeyxMechanism)
        for name in ["", "rsa", "RSA ", "JWE", "JWK_RSA\u{0}", "ECIES", "RSA-OAEP"] {
            #expect(mslCode { () throws(MSLError) in try MSLAsymmetricMechanism.parse(name) }
                == .unidentifiedKeyxMechanism)
        }
    }

    @Test("A private key that is not RSA ≥ 2048 bits is INVALID_PRIVATE_KEY")
    func privateKeys() {
        for der in [[], [0x30, 0x00], [UInt8](hex: vectors.rsa.public_spki)] {
            #expect(mslCode { () throws(MSLError) in try MSLRSAKeyPair(privateKeyDER: der) } == .invalidPrivateKey)
        }
    }
}
