// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshMSL

/// docs/MSL.md §5.1: configured parameter sets and the built-in group.
@Suite("MSL DH parameters")
struct MSLDHParametersTests {
    static let p512 = "C2048E076B268761DB1427BA3AD98473D32B0ABDEE98C0827923426F294EDA33"
        + "92BF0032A1D8092055B58BAA07586A7D3E271C39A8C891F5CEEA4DEBDFA6B023"

    @Test("ID=PHEX:GHEX is parsed; hex of either case and leading zeros are accepted")
    func parse() throws {
        let set = try MSLDHParameters.parse("default1=\(Self.p512):2")
        #expect(set.id == "default1")
        #expect(set.prime == [UInt8](hex: Self.p512))
        #expect(set.generator == [2])
        #expect(set.namedGroupNID == nil)
        let lower = try MSLDHParameters.parse("x=000\(Self.p512.lowercased()):0002")
        #expect(lower.prime == set.prime && lower.generator == [2])
        let pMinus2 = String(Self.p512.dropLast(2)) + "21"
        #expect(try MSLDHParameters(id: "g", pHex: Self.p512, gHex: pMinus2).generator == [UInt8](hex: pMinus2))
    }

    @Test("Malformed or unsafe sets are refused", arguments: [
        "default1", "default1=\(p512)", "default1=\(p512):2:3", "=\(p512):2", "d=:2", "d=\(p512):",
        "d=\(p512)Z:2", "d=0x\(p512):2", "d=\(p512):-2", "d= \(p512):2",
        "d=\(String(p512.dropLast(2)) + "22"):2",                 // even p
        "d=\(String(p512.dropFirst(2))):2",                        // 504 bits
        "d=1\(String(repeating: "0", count: 2048)):2",            // 8193 bits
        "d=\(p512):0", "d=\(p512):1", "d=\(p512):\(String(p512.dropLast(2)) + "22")", "d=\(p512):\(p512)",
        "d=\(p512):1\(p512)", "d\u{0}=\(p512):2",
    ])
    func refused(spec: String) {
        #expect(mslCode { () throws(MSLError) in try MSLDHParameters.parse(spec) } == .mslParseError)
    }

    @Test("The largest p (8192 bits) is accepted")
    func largest() throws {
        let p = "F" + String(repeating: "0", count: 2046) + "1"
        #expect(try MSLDHParameters(id: "big", pHex: p, gHex: "5").prime.count == 1024)
    }

    @Test("The built-in rfc3526-modp2048 is RFC 3526 group 14 exactly as OpenSSL's named group holds it")
    func group14() throws {
        let group = MSLDHParameters.rfc3526Group14
        #expect(group.id == "rfc3526-modp2048")
        #expect(group.prime.count == 256 && group.prime.first == 0xFF && group.prime.last == 0xFF)
        #expect(group.generator == [2])
        let pair = try MSLDHKeyPair(parameters: group)
        #expect(pair.groupPrime == group.prime)
    }
}
