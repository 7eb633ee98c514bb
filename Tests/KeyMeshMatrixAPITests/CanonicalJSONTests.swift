// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

struct CanonicalCases: Decodable {
    struct Case: Decodable {
        let input: String
        let canonical: String
    }
    let cases: [Case]
}

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test("every example in the Matrix spec appendix encodes as the spec says")
    func specExamples() throws {
        let vectors = try VectorLoader.load(CanonicalCases.self, "canonical-json.json")
        #expect(vectors.cases.count == 10)
        for vector in vectors.cases {
            #expect(try CanonicalJSON.string(try JSONParser.parse(vector.input)) == vector.canonical)
        }
    }

    @Test("600 random documents match Python's json.dumps reference byte for byte")
    func pythonCorpus() throws {
        let vectors = try VectorLoader.load(CanonicalCases.self, "canonical-corpus.json")
        #expect(vectors.cases.count == 600)
        for vector in vectors.cases {
            let encoded = try CanonicalJSON.encode(try JSONParser.parse(vector.input))
            #expect(encoded == Array(vector.canonical.utf8), "input: \(vector.input)")
            // canonical output is a fixed point
            #expect(try CanonicalJSON.encode(try JSONParser.parse(encoded)) == encoded)
        }
    }

    @Test("keys sort by code point, not UTF-16 order, above U+FFFF")
    func astralOrder() throws {
        // U+FFFF < U+1F600 by code point; in UTF-16 the surrogate 0xD83D sorts before 0xFFFF
        let value = try JSONParser.parse(#"{"\uD83D\uDE00":1,"\uFFFF":2,"z":3}"#)
        #expect(try CanonicalJSON.string(value) == "{\"z\":3,\"\u{FFFF}\":2,\"\u{1F600}\":1}")
    }

    @Test("canonically equivalent keys stay two distinct members")
    func equivalentKeys() throws {
        let value = try JSONParser.parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        let object = try #require(value.objectValue)
        #expect(object.count == 2)
        #expect(object["\u{E9}"] == .int(1))
        #expect(object["e\u{301}"] == .int(2))
        #expect(try CanonicalJSON.string(value) == "{\"e\u{301}\":2,\"\u{E9}\":1}")
    }

    @Test("only quote, backslash and controls are escaped; short forms and lowercase hex")
    func escapes() throws {
        let value = JSONValue.string("\"\\\u{08}\u{09}\u{0A}\u{0C}\u{0D}\u{00}\u{1F}\u{7F}/\u{2028}é")
        #expect(try CanonicalJSON.string(value) == "\"\\\"\\\\\\b\\t\\n\\f\\r\\u0000\\u001f\u{7F}/\u{2028}é\"")
    }

    @Test("integers at the safe bounds encode; one past them is refused")
    func integerBounds() throws {
        #expect(try CanonicalJSON.string(.int(JSONValue.maxSafeInteger)) == "9007199254740991")
        #expect(try CanonicalJSON.string(.int(-JSONValue.maxSafeInteger)) == "-9007199254740991")
        #expect(throws: CanonicalJSONError.integerOutOfRange(JSONValue.maxSafeInteger + 1)) {
            try CanonicalJSON.encode(.int(JSONValue.maxSafeInteger + 1))
        }
        #expect(throws: CanonicalJSONError.integerOutOfRange(Int64.min)) {
            try CanonicalJSON.encode(["nested": [.int(Int64.min)]])
        }
    }

    @Test("literals and empty containers")
    func literals() throws {
        #expect(try CanonicalJSON.string([true, false, nil, [], [:] as JSONValue, ""]) == #"[true,false,null,[],{},""]"#)
    }
}
