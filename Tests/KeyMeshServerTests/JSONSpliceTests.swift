// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import Testing

@testable import KeyMeshServer

@Suite("JSONSplice: responses built around stored JSON text")
struct JSONSpliceTests {
    @Test("spliced objects parse back to the same values; keys are escaped; appending works on {} and on members")
    func roundTrip() throws {
        let stored = try CanonicalJSON.string(["key": "abc", "signatures": ["@a:b": ["ed25519:D": "sig"]]])
        let spliced = JSONSplice.object([
            (key: "q\"uote\\and\u{1}", value: Array(stored.utf8)),
            (key: "empty", value: JSONSplice.appending(to: "{}", key: "unsigned", value: JSONSplice.value(["n": 1]))),
            (key: "more", value: JSONSplice.appending(to: stored, key: "unsigned", value: JSONSplice.string("é\n"))),
        ])
        let parsed = try #require(try JSONParser.parse(spliced).objectValue)
        #expect(parsed["q\"uote\\and\u{1}"] == ["key": "abc", "signatures": ["@a:b": ["ed25519:D": "sig"]]])
        #expect(parsed["empty"] == ["unsigned": ["n": 1]])
        #expect(parsed["more"] == ["key": "abc", "signatures": ["@a:b": ["ed25519:D": "sig"]], "unsigned": "é\n"])
        #expect(try JSONParser.parse(JSONSplice.object([])) == [:])
    }
}
