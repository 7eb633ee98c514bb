// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@Suite("JSON parser survives random and mutated input")
struct JSONFuzzTests {
    static let seeds: [[UInt8]] = [
        #"{"a":[1,-2,{"b":null,"c":true}],"d":"\u65e5\uD83D\uDE00\n","e":1e10}"#,
        #"{"user_id":"@a:hs","keys":{"ed25519:DEV":"abc"},"signatures":{"@a:hs":{"ed25519:DEV":"x"}}}"#,
        "[[[[[[]]]]]]", #""\\\"\/""#, "-0", "12345678901234",
    ].map { Array($0.utf8) }

    static let alphabet = Array("{}[]\",:\\-0e.u".utf8)

    @Test("100,000 random and mutated documents (seed 0x150F) parse or throw JSONParseError, never trap")
    func fuzz() {
        let random = SeededRandom(seed: 0x150F)
        var parsed = 0
        for n in 0..<100_000 {
            var input = n % 5 == 0 ? random.bytes(count: random.next(below: 64)) : Self.seeds[random.next(below: Self.seeds.count)]
            if n % 5 != 0 {
                for _ in 0..<(1 + random.next(below: 3)) {
                    switch random.next(below: 4) {
                    case 0 where !input.isEmpty: input[random.next(below: input.count)] = UInt8(random.next(below: 256))
                    case 1: input.insert(Self.alphabet[random.next(below: Self.alphabet.count)], at: random.next(below: input.count + 1))
                    case 2 where !input.isEmpty: input.remove(at: random.next(below: input.count))
                    default: input = Array(input.prefix(random.next(below: input.count + 1)))
                    }
                }
            }
            do {
                let value = try JSONParser.parse(input)
                parsed += 1
                // whatever parses must re-encode and re-parse to the same value
                if let encoded = try? CanonicalJSON.encode(value) {
                    #expect((try? JSONParser.parse(encoded)) == value)
                }
            } catch {
                // a typed JSONParseError is the only way out
            }
        }
        #expect(parsed > 1000)
    }
}
