// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

@Suite("JSON parser under random and mutated input")
struct JSONFuzzTests {
    static let seed: UInt64 = 0x4A53_4F4E_150F

    /// Valid documents to mutate: the spec examples, some corpus documents and hand-picked edge cases.
    static func documents() throws -> [[UInt8]] {
        let spec = try VectorLoader.load(CanonicalCases.self, "canonical-json.json").cases.map(\.input)
        let corpus = try VectorLoader.load(CanonicalCases.self, "canonical-corpus.json").cases.prefix(40).map(\.input)
        let extra = [
            #"{"a":[1,-2,{"b":null,"c":true}],"d":"\u65e5\uD83D\uDE00\n","e":1e10,"f":-0,"g":2.50e1}"#,
            #"{"user_id":"@a:hs","keys":{"ed25519:DEV":"abc"},"signatures":{"@a:hs":{"ed25519:DEV":"x"}}}"#,
            #"{"a":1,"c":2,"\u0061b":3}"#, #""\\\"\/\b\f\n\r\t\u001f""#, "-9007199254740991", "12345678901234e2",
            String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth),
            "{\"\u{E9}\":1,\"e\u{301}\":[true,false,null]}",
        ]
        return (spec + corpus + extra).map { Array($0.utf8) }
    }

    static let alphabet = Array("{}[]\",:\\-+0123456789eE.utufD8\u{20}\n".utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xED, 0xFF]

    static func mutate(_ input: inout [UInt8], _ random: SeededRandom) {
        for _ in 0..<(1 + random.next(below: 4)) {
            let position = random.next(below: input.count + 1)
            switch random.next(below: 7) {
            case 0 where !input.isEmpty: input[position % input.count] ^= UInt8(1) << random.next(below: 8)
            case 1 where !input.isEmpty: input[position % input.count] = UInt8(random.next(below: 256))
            case 2: input.insert(alphabet[random.next(below: alphabet.count)], at: position)
            case 3 where !input.isEmpty: input.remove(at: position % input.count)
            case 4: input = Array(input.prefix(position))
            case 5 where !input.isEmpty:
                let start = random.next(below: input.count), end = start + random.next(below: min(16, input.count - start) + 1)
                input.insert(contentsOf: input[start..<end], at: position)
            default: input.insert(UInt8(random.next(below: 256)), at: position)
            }
        }
    }

    /// The case name and offset of a parse error.
    static func describe(_ error: JSONParseError) -> (kind: String, offset: Int?) {
        switch error {
        case .unexpectedEnd: ("unexpectedEnd", nil)
        case .unexpectedByte(let offset): ("unexpectedByte", offset)
        case .invalidUnicode(let offset): ("invalidUnicode", offset)
        case .unescapedControlCharacter(let offset): ("unescapedControlCharacter", offset)
        case .invalidEscape(let offset): ("invalidEscape", offset)
        case .floatNotAllowed(let offset): ("floatNotAllowed", offset)
        case .integerOutOfRange(let offset): ("integerOutOfRange", offset)
        case .invalidNumber(let offset): ("invalidNumber", offset)
        case .duplicateKey: ("duplicateKey", nil)
        case .tooDeep(let limit): ("tooDeep", limit == JSONParser.maxDepth ? nil : -1)
        case .tooManyMembers(let offset, _): ("tooManyMembers", offset)
        case .tooManyElements(let offset, _): ("tooManyElements", offset)
        case .stringTooLong(let offset, _): ("stringTooLong", offset)
        case .inputTooLarge: ("inputTooLarge", nil)
        case .trailingData(let offset): ("trailingData", offset)
        }
    }

    @Test("100,000 random and mutated documents parse or throw a JSONParseError in bounds, never trap")
    func fuzz() throws {
        let random = SeededRandom(seed: Self.seed)
        print("JSONFuzzTests seed: 0x\(String(Self.seed, radix: 16))")
        let documents = try Self.documents()
        var parsed = 0
        var kinds: Set<String> = []
        for n in 0..<100_000 {
            var input: [UInt8]
            if n % 5 == 0 {
                input = (0..<random.next(below: 48)).map { _ in
                    random.next(below: 2) == 0 ? Self.alphabet[random.next(below: Self.alphabet.count)] : UInt8(random.next(below: 256))
                }
            } else {
                input = documents[random.next(below: documents.count)]
                Self.mutate(&input, random)
            }
            do {
                let value = try JSONParser.parse(input)
                parsed += 1
                // whatever parses has integers in range, so it encodes, and the encoding is a fixed point
                let encoded = try CanonicalJSON.encode(value)
                let again = try JSONParser.parse(encoded)
                #expect(again == value, "iteration \(n)")
                #expect(try CanonicalJSON.encode(again) == encoded, "iteration \(n)")
            } catch let error as JSONParseError {
                let (kind, offset) = Self.describe(error)
                kinds.insert(kind)
                if let offset {
                    #expect((0...input.count).contains(offset), "iteration \(n): \(error) for \(input.count) bytes")
                }
            }
        }
        #expect(parsed > 5_000)
        #expect(kinds.count == 11, "error kinds seen: \(kinds.sorted())")
    }
}
