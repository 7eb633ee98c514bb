// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// `Vectors/canonical-json.json` and `Vectors/canonical-corpus.json`: JSON text and its canonical form.
struct CanonicalCases: Decodable {
    struct Case: Decodable {
        let input: String
        let canonical: String
    }
    let source: String
    let cases: [Case]
}

@Suite("Canonical JSON encoding")
struct CanonicalJSONTests {
    @Test("every example in the spec appendix 'Canonical JSON' encodes exactly as the spec says")
    func specExamples() throws {
        let vectors = try VectorLoader.load(CanonicalCases.self, "canonical-json.json")
        #expect(vectors.cases.count == 10)
        for vector in vectors.cases {
            let encoded = try CanonicalJSON.encode(try JSONParser.parse(vector.input))
            #expect(encoded == Array(vector.canonical.utf8), "input: \(vector.input)")
            #expect(try CanonicalJSON.string(try JSONParser.parse(vector.input)) == vector.canonical)
        }
    }

    @Test("keys sort by code point: U+1F600 after U+FFFF, although UTF-16 order puts it first")
    func astralKeyOrder() throws {
        // The premise: UTF-16 compares the surrogate 0xD83D with 0xE000/0xFFFF and sorts the emoji first.
        #expect("\u{1F600}".utf16.lexicographicallyPrecedes("\u{FFFF}".utf16))
        #expect("\u{1F600}".utf16.lexicographicallyPrecedes("\u{E000}".utf16))
        let parsed = try JSONParser.parse(#"{"\uD83D\uDE00":1,"\uFFFF":2,"\uE000":3,"z":4,"\uD800\uDC00":5}"#)
        #expect(try CanonicalJSON.string(parsed)
            == "{\"z\":4,\"\u{E000}\":3,\"\u{FFFF}\":2,\"\u{10000}\":5,\"\u{1F600}\":1}")
        // the same order whatever the insertion order
        let built: JSONValue = ["\u{FFFF}": 2, "\u{10000}": 5, "z": 4, "\u{1F600}": 1, "\u{E000}": 3]
        #expect(try CanonicalJSON.encode(built) == CanonicalJSON.encode(parsed))
    }

    @Test("'é' (U+00E9) and 'e' + U+0301 stay two keys, sorted by their own code points")
    func canonicallyEquivalentKeys() throws {
        // Swift String == treats these as equal; canonical JSON must not.
        #expect("\u{E9}" == "e\u{301}")
        let value = try JSONParser.parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        let object = try #require(value.objectValue)
        #expect(object.count == 2)
        #expect(object["\u{E9}"] == .int(1))
        #expect(object["e\u{301}"] == .int(2))
        // "e" (0x65) sorts before "é" (0xE9)
        #expect(try CanonicalJSON.encode(value) == Array("{\"e\u{301}\":2,\"\u{E9}\":1}".utf8))
        #expect(try CanonicalJSON.encode(value) == [
            0x7B, 0x22, 0x65, 0xCC, 0x81, 0x22, 0x3A, 0x32, 0x2C, 0x22, 0xC3, 0xA9, 0x22, 0x3A, 0x31, 0x7D,
        ])
    }

    @Test("control characters use \\b \\t \\n \\f \\r, the rest \\u00xx in lowercase hex")
    func controlEscapes() throws {
        let short: [UInt32: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
        let hex = Array("0123456789abcdef")
        for code in UInt32(0)..<0x20 {
            let scalar = try #require(Unicode.Scalar(code))
            let escape = short[code] ?? "\\u00\(hex[Int(code >> 4)])\(hex[Int(code & 0xF)])"
            #expect(try CanonicalJSON.string(.string("a\(Character(scalar))b")) == "\"a\(escape)b\"", "U+\(code)")
        }
        #expect(try CanonicalJSON.string("\u{1F}") == #""\u001f""#)
        #expect(try CanonicalJSON.string("\u{0B}\u{1B}") == #""\u000b\u001b""#)
    }

    @Test("only quote and backslash are escaped besides controls; '/', U+007F, U+2028 and non-ASCII stay raw")
    func rawCharacters() throws {
        #expect(try CanonicalJSON.string("\"\\") == #""\"\\""#)
        let raw = "/\u{7F}\u{2028}\u{2029}\u{A0}é日\u{FEFF}\u{FFFF}\u{1F600}\u{10FFFF}'<>&"
        #expect(try CanonicalJSON.encode(.string(raw)) == [0x22] + Array(raw.utf8) + [0x22])
        // escaped input decodes and is written raw
        let parsed = try JSONParser.parse(#""\/\u007f\u2028\u00e9\uD83D\uDE00""#)
        #expect(try CanonicalJSON.string(parsed) == "\"/\u{7F}\u{2028}é\u{1F600}\"")
    }

    @Test("integers print in plain decimal; any spelling of zero prints as 0")
    func integers() throws {
        for (value, text) in [(Int64(0), "0"), (-1, "-1"), (10_000_000_000, "10000000000"),
                              (JSONValue.maxSafeInteger, "9007199254740991"),
                              (-JSONValue.maxSafeInteger, "-9007199254740991")] {
            #expect(try CanonicalJSON.string(.int(value)) == text)
        }
        #expect(try CanonicalJSON.string(try JSONParser.parse("[-0,0.0,-0e5,1E1,2.50e1]")) == "[0,0,0,10,25]")
    }

    @Test("integers outside ±(2^53-1) cannot be encoded, at any depth")
    func integerOutOfRange() {
        for value in [Int64.max, Int64.min, JSONValue.maxSafeInteger + 1, -JSONValue.maxSafeInteger - 1] {
            #expect(throws: CanonicalJSONError.integerOutOfRange(value)) { try CanonicalJSON.encode(.int(value)) }
            #expect(throws: CanonicalJSONError.integerOutOfRange(value)) {
                try CanonicalJSON.encode(["a": ["b": [1, .int(value)]]])
            }
            #expect(throws: CanonicalJSONError.integerOutOfRange(value)) { try CanonicalJSON.string(.int(value)) }
        }
    }

    @Test("literals and empty containers; arrays keep their order, objects sort at every level")
    func structure() throws {
        #expect(try CanonicalJSON.string([true, false, nil, [], [:] as JSONValue, "", 3, 1, 2])
            == #"[true,false,null,[],{},"",3,1,2]"#)
        let nested: JSONValue = ["b": [["y": 1, "x": ["d": nil, "c": true]]], "a": [:] as JSONValue]
        #expect(try CanonicalJSON.string(nested) == #"{"a":{},"b":[{"x":{"c":true,"d":null},"y":1}]}"#)
        #expect(try CanonicalJSON.string(["": 1, " ": 2, "!": 3]) == #"{"":1," ":2,"!":3}"#)
    }

    @Test("canonical output is a fixed point: parsing and encoding it again gives the same bytes")
    func fixedPoint() throws {
        let vectors = try VectorLoader.load(CanonicalCases.self, "canonical-json.json")
        for vector in vectors.cases {
            let once = Array(vector.canonical.utf8)
            #expect(try CanonicalJSON.encode(try JSONParser.parse(once)) == once)
        }
    }
}
