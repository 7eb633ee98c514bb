// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@Suite("Hex")
struct HexTests {
    @Test("encodes lowercase and decodes either case, round trip over random bytes")
    func roundTrip() {
        #expect(Hex.encode([0x00, 0x7f, 0xab, 0xff]) == "007fabff")
        #expect(Hex.decode("007FabFF") == [0x00, 0x7f, 0xab, 0xff])
        #expect(Hex.decode("") == [])
        let random = SeededRandom(seed: 7)
        for length in 0..<64 {
            let bytes = random.bytes(count: length)
            #expect(Hex.decode(Hex.encode(bytes)) == bytes)
        }
    }

    @Test("refuses odd lengths and non-hex characters without trapping")
    func refuses() {
        for bad in ["0", "abc", "0g", "zz", " 00", "00 ", "+1", "é0"] {
            #expect(Hex.decode(bad) == nil, "\(bad)")
        }
    }
}
