// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// docs/MSL.md §5.1: OpenSSL key pairs, the wire form and the SHA-384 derivation.
@Suite("MSL DH key pairs")
struct MSLDHKeyPairTests {
    let vectors: SchemeVectors

    init() throws { vectors = try SchemeVectors.load() }

    func parameters(_ v: SchemeVectors.DH) throws -> MSLDHParameters {
        v.id == MSLDHParameters.rfc3526Group14.id
            ? .rfc3526Group14 : try MSLDHParameters(id: v.id, pHex: v.p, gHex: v.g)
    }

    @Test("Known answer: default1 and group 14 with exponents 11…11 and 22…22 (Python)", arguments: [0, 1])
    func vector(index: Int) throws {
        let v = index == 0 ? vectors.dh_default1 : vectors.dh_group14
        let set = try parameters(v)
        let requester = try MSLDHKeyPair(parameters: set, privateExponent: [UInt8](hex: v.a))
        let responder = try MSLDHKeyPair(parameters: set, privateExponent: [UInt8](hex: v.b))
        #expect(requester.publicValue.hex == v.requester_public)
        #expect(responder.publicValue.hex == v.responder_public)
        let keys = try requester.sessionKeys(peerPublicValue: responder.publicValue)
        #expect(keys.encHex == v.kenc)
        #expect(keys.hmacHex == v.khmac)
        #expect(try responder.sessionKeys(peerPublicValue: requester.publicValue) == keys)
    }

    @Test("The derivation is SHA-384 of 00 ‖ Z, split 16/32")
    func derivation() throws {
        let v = vectors.dh_default1
        let keys = try MSLDHKeyDerivation.sessionKeys(sharedSecret: [UInt8](hex: v.zbytes))
        #expect(keys.encHex == v.kenc && keys.hmacHex == v.khmac)
    }

    @Test("Random pairs agree, in both groups; other pairs do not", arguments: [true, false])
    func roundTrip(builtIn: Bool) throws {
        let set = builtIn ? MSLDHParameters.rfc3526Group14 : try parameters(vectors.dh_default1)
        let a = try MSLDHKeyPair(parameters: set)
        let b = try MSLDHKeyPair(parameters: set)
        let c = try MSLDHKeyPair(parameters: set)
        let keys = try a.sessionKeys(peerPublicValue: b.publicValue)
        #expect(try b.sessionKeys(peerPublicValue: a.publicValue) == keys)
        #expect(try c.sessionKeys(peerPublicValue: a.publicValue) != keys)
        #expect(a.publicValue != b.publicValue)
        for pair in [a, b, c] {
            #expect(pair.publicValue.first == 0 && pair.publicValue.dropFirst().first != 0)
            #expect(pair.publicValue.count <= set.prime.count + 1)
        }
    }

    @Test("Any number of leading zeros is accepted, none included")
    func leadingZeros() throws {
        let v = vectors.dh_default1
        let set = try parameters(v)
        let requester = try MSLDHKeyPair(parameters: set, privateExponent: [UInt8](hex: v.a))
        let wire = [UInt8](hex: v.responder_public)
        for value in [Array(wire.dropFirst()), [0, 0, 0, 0] + wire, [UInt8](repeating: 0, count: 300) + wire] {
            #expect(try requester.sessionKeys(peerPublicValue: value).encHex == v.kenc)
        }
        let padded = try MSLDHKeyPair(parameters: set, privateExponent: [0, 0] + [UInt8](hex: v.a))
        #expect(padded.publicValue.hex == v.requester_public)
    }

    @Test("Values outside 2 … p − 2 are KEYX_INVALID_PUBLIC_KEY before any exponentiation")
    func outOfRange() throws {
        let set = try parameters(vectors.dh_default1)
        let pair = try MSLDHKeyPair(parameters: set)
        let p = set.prime
        func last(_ byte: UInt8) -> [UInt8] { Array(p.dropLast()) + [byte] }   // p ends in 0x23
        let bad: [[UInt8]] = [[], [0], [0, 0, 0], [1], [0, 1], last(0x22), p, [0] + p, last(0x24),
                              [0xFF] + p, [UInt8](repeating: 0xFF, count: 4096)]
        for value in bad {
            #expect(mslCode { () throws(MSLError) in try pair.sessionKeys(peerPublicValue: value) }
                == .keyxInvalidPublicKey)
        }
        #expect(throws: Never.self) { try pair.sessionKeys(peerPublicValue: [2]) }
        #expect(throws: Never.self) { try pair.sessionKeys(peerPublicValue: last(0x21)) }
    }

    @Test("Group 14 refuses 0, 1, p − 1, p; accepts 2 and p − 2")
    func group14Range() throws {
        let set = MSLDHParameters.rfc3526Group14
        let pair = try MSLDHKeyPair(parameters: set)
        let p = set.prime
        let pMinus1 = Array(p.dropLast()) + [0xFE]
        // p is a safe prime, so the only small subgroups are {1} and {1, p − 1}: the range check
        // excludes both. p − 2 lies outside the order-q subgroup yet is accepted (OpenSSL checks
        // the range only): it reveals one bit of a one-use exponent.
        let pMinus2 = Array(p.dropLast()) + [0xFD]
        for value in [[], [0], [1], pMinus1, p, [1] + p] {
            #expect(mslCode { () throws(MSLError) in try pair.sessionKeys(peerPublicValue: value) }
                == .keyxInvalidPublicKey)
        }
        #expect(throws: Never.self) { try pair.sessionKeys(peerPublicValue: [2]) }
        #expect(throws: Never.self) { try pair.sessionKeys(peerPublicValue: pMinus2) }
    }

    @Test("A fixed private exponent must be in 1 … p − 2")
    func privateExponent() throws {
        let set = try parameters(vectors.dh_default1)
        for exponent in [[], [0], [0, 0], Array(set.prime.dropLast()) + [0x22], set.prime, [1] + set.prime] {
            #expect(mslCode { () throws(MSLError) in try MSLDHKeyPair(parameters: set, privateExponent: exponent) }
                == .invalidPrivateKey)
        }
        #expect(try MSLDHKeyPair(parameters: set, privateExponent: [1]).publicValue == [0, 2])
    }
}
