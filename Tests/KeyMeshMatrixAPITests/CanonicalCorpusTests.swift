// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshTestSupport
import Testing

/// `Vectors/canonical-corpus.json` is made once by `Vectors/gen_canonical_corpus.py` with the
/// reference encoder the spec names; no Python runs during the tests.
@Suite("Canonical JSON against Python's json.dumps")
struct CanonicalCorpusTests {
    static func corpus() throws -> [CanonicalCases.Case] {
        try VectorLoader.load(CanonicalCases.self, "canonical-corpus.json").cases
    }

    @Test("500 random documents, spelled non-canonically, encode byte for byte as Python does")
    func matchesPython() throws {
        let cases = try Self.corpus()
        #expect(cases.count == 500)
        for (n, vector) in cases.enumerated() {
            let value = try JSONParser.parse(vector.input)
            let expected = Array(vector.canonical.utf8)
            #expect(try CanonicalJSON.encode(value) == expected, "case \(n): \(vector.input)")
            // Python's output is canonical too: it parses to the same value and re-encodes unchanged.
            let reparsed = try JSONParser.parse(expected)
            #expect(reparsed == value, "case \(n)")
            #expect(try CanonicalJSON.encode(reparsed) == expected, "case \(n)")
        }
    }

    @Test("the corpus has objects whose code-point key order differs from UTF-16 order")
    func corpusHasAstralKeys() throws {
        var differing = 0, equivalentKeys = 0, escapedControls = 0
        for vector in try Self.corpus() {
            let value = try JSONParser.parse(vector.input)
            if Self.objects(in: value).contains(where: Self.utf16OrderDiffers) { differing += 1 }
            if Self.objects(in: value).contains(where: { $0.contains("\u{E9}") && $0.contains("e\u{301}") }) {
                equivalentKeys += 1
            }
            if vector.canonical.contains("\\u00") { escapedControls += 1 }
        }
        #expect(differing >= 200)
        #expect(equivalentKeys >= 10)
        #expect(escapedControls >= 100)
    }

    /// Every object in `value`, at any depth.
    static func objects(in value: JSONValue) -> [JSONObject] {
        switch value {
        case .object(let object): [object] + object.flatMap { objects(in: $0.value) }
        case .array(let items): items.flatMap(objects(in:))
        case .null, .bool, .int, .string: []
        }
    }

    static func utf16OrderDiffers(_ object: JSONObject) -> Bool {
        let byCodePoint = object.sortedEntries.map(\.key)
        let byUTF16 = object.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
        return !byCodePoint.elementsEqual(byUTF16) { $0.utf8.elementsEqual($1.utf8) }
    }
}
