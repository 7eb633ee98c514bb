// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// docs/MSL.md §5.3: the pre-shared wrapping key and AES key wrap (RFC 3394).
@Suite("MSL symmetric wrap")
struct MSLSymmetricWrapTests {
    let vectors: SchemeVectors

    init() throws { vectors = try SchemeVectors.load() }

    var kpw: SecretBytes { SecretBytes([UInt8](hex: vectors.psk.kpw)) }

    @Test("Kpw of MSL's test entity PSK-ESN")
    func wrappingKey() {
        let psk = vectors.psk
        #expect(psk.kpw == "bee63f40c30320feed62359403da2e85")
        let kpw = MSLSymmetricWrap.wrappingKey(preSharedEncryptionKey: SecretBytes([UInt8](hex: psk.kpe)),
                                               hmacKey: SecretBytes([UInt8](hex: psk.kph)))
        #expect(kpw.unsafeExportSecret().hex == psk.kpw)
        let other = MSLSymmetricWrap.wrappingKey(preSharedEncryptionKey: SecretBytes([UInt8](hex: psk.kph).prefix(16)),
                                                 hmacKey: SecretBytes([UInt8](hex: psk.kph)))
        #expect(other != kpw)
    }

    @Test("Wrapping under Kpw gives Python's bytes, and they unwrap")
    func pskVector() throws {
        let psk = vectors.psk
        let keys = try MSLSessionKeys.hex(psk.kenc, psk.khmac)
        let wrapped = try MSLSymmetricWrap.wrap(keys, wrappingKey: kpw)
        #expect(wrapped.encryptionKey.hex == psk.wrapped_encryptionkey)
        #expect(wrapped.hmacKey.hex == psk.wrapped_hmackey)
        #expect(wrapped.encryptionKey.count == 24 && wrapped.hmacKey.count == 40)
        #expect(try MSLSymmetricWrap.unwrap(encryptionKey: wrapped.encryptionKey, hmacKey: wrapped.hmacKey,
                                            wrappingKey: kpw) == keys)
    }

    @Test("RFC 3394 §4.1 and §4.6")
    func rfc3394() throws {
        let v41 = try #require(vectors.aes_key_wrap.first { $0.name == "RFC 3394 4.1" })
        let v46 = try #require(vectors.aes_key_wrap.first { $0.name == "RFC 3394 4.6" })
        let filler = SecretBytes([UInt8](repeating: 9, count: 32))
        let first = try MSLSessionKeys(encryptionKey: SecretBytes([UInt8](hex: v41.key)), hmacKey: filler)
        let wrapped41 = try MSLSymmetricWrap.wrap(first, wrappingKey: SecretBytes([UInt8](hex: v41.kek)))
        #expect(wrapped41.encryptionKey.hex == v41.wrapped.lowercased())
        let second = try MSLSessionKeys(encryptionKey: SecretBytes([UInt8](repeating: 9, count: 16)),
                                        hmacKey: SecretBytes([UInt8](hex: v46.key)))
        let wrapped46 = try MSLSymmetricWrap.wrap(second, wrappingKey: SecretBytes([UInt8](hex: v46.kek)))
        #expect(wrapped46.hmacKey.hex == v46.wrapped.lowercased())
    }

    @Test("Random keys round-trip under a derived Kpw")
    func roundTrip() throws {
        let kpw = MSLSymmetricWrap.wrappingKey(preSharedEncryptionKey: SystemRandom().secret(count: 16),
                                               hmacKey: SystemRandom().secret(count: 32))
        let keys = MSLSessionKeys.random()
        let wrapped = try MSLSymmetricWrap.wrap(keys, wrappingKey: kpw)
        #expect(try MSLSymmetricWrap.unwrap(encryptionKey: wrapped.encryptionKey, hmacKey: wrapped.hmacKey,
                                            wrappingKey: kpw) == keys)
    }

    @Test("Tampered, truncated, swapped or wrongly keyed values are refused with the §5.3 codes")
    func negatives() throws {
        let keys = MSLSessionKeys.random()
        let wrapped = try MSLSymmetricWrap.wrap(keys, wrappingKey: kpw)
        func code(_ enc: [UInt8], _ hmac: [UInt8], _ key: SecretBytes? = nil) -> MSLErrorCode? {
            mslCode { () throws(MSLError) in
                try MSLSymmetricWrap.unwrap(encryptionKey: enc, hmacKey: hmac, wrappingKey: key ?? kpw)
            }
        }
        for index in [0, 7, 8, 23] {
            var flipped = wrapped.encryptionKey
            flipped[index] ^= 0x01
            #expect(code(flipped, wrapped.hmacKey) == .unwrapError, "enc byte \(index)")
        }
        var flipped = wrapped.hmacKey
        flipped[39] ^= 0x80
        #expect(code(wrapped.encryptionKey, flipped) == .unwrapError)
        for truncated in [Array(wrapped.encryptionKey.dropLast()), Array(wrapped.encryptionKey.prefix(16)), [],
                          Array(wrapped.encryptionKey.dropLast(8)), [UInt8](repeating: 0xA6, count: 2048)] {
            #expect(code(truncated, wrapped.hmacKey) == .unwrapError, "\(truncated.count) bytes")
        }
        #expect(code(wrapped.encryptionKey, wrapped.hmacKey, SystemRandom().secret(count: 16)) == .unwrapError)
        #expect(code(wrapped.hmacKey, wrapped.encryptionKey) == .sessionKeyCreationFailure)
        #expect(code(wrapped.encryptionKey, wrapped.hmacKey, SecretBytes([1, 2, 3])) == .invalidWrappingKey)
        #expect(mslCode { () throws(MSLError) in try MSLSymmetricWrap.wrap(keys, wrappingKey: SecretBytes([])) }
            == .invalidWrappingKey)
    }
}
