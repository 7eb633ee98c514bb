// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import Testing

@Suite("JSON values and objects")
struct JSONValueTests {
    @Test("object keys compare by exact bytes, not by Swift's canonical equivalence")
    func exactKeys() {
        var object = JSONObject()
        object["\u{E9}"] = 1
        object["e\u{301}"] = 2
        object["\u{212B}"] = 3 // ANGSTROM SIGN, canonically equivalent to U+00C5
        object["\u{C5}"] = 4
        #expect(object.count == 4)
        #expect(object["\u{E9}"] == 1)
        #expect(object["e\u{301}"] == 2)
        #expect(object["\u{212B}"] == 3)
        #expect(object["\u{C5}"] == 4)
        #expect(object.contains("e\u{301}"))
        #expect(!object.contains("e"))
        object["e\u{301}"] = nil
        #expect(object.count == 3)
        #expect(object["\u{E9}"] == 1)
    }

    @Test("string values compare by exact scalars")
    func exactStrings() {
        #expect(JSONValue.string("\u{E9}") != .string("e\u{301}"))
        #expect(JSONValue.string("\u{E9}") == .string("\u{E9}"))
        let composed: JSONValue = ["k": "\u{E9}"], decomposed: JSONValue = ["k": "e\u{301}"]
        #expect(composed != decomposed)
    }

    @Test("members keep insertion order; replacing keeps the slot, removing drops it; nil removes nothing new")
    func insertionOrder() {
        var object: JSONObject = ["z": 1, "a": 2, "m": 3]
        #expect(object.keys == ["z", "a", "m"])
        object["a"] = 20
        #expect(object.keys == ["z", "a", "m"])
        #expect(object["a"] == 20)
        object["z"] = nil
        object["q"] = nil
        #expect(object.keys == ["a", "m"])
        object["b"] = 4
        #expect(object.keys == ["a", "m", "b"])
        #expect(object.map(\.key) == ["a", "m", "b"])
        #expect(object.sortedEntries.map(\.key) == ["a", "b", "m"])
    }

    @Test("sortedEntries orders by UTF-8 bytes, which is code-point order")
    func sortedByCodePoint() {
        let object: JSONObject = ["\u{1F600}": 1, "\u{FFFF}": 2, "\u{E9}": 3, "e\u{301}": 4, "Z": 5, "a": 6, "": 7]
        let keys = object.sortedEntries.map { Array($0.key.unicodeScalars) }
        let expected = ["", "Z", "a", "e\u{301}", "\u{E9}", "\u{FFFF}", "\u{1F600}"].map { Array($0.unicodeScalars) }
        #expect(keys == expected)
    }

    @Test("objects are equal regardless of member order, and unequal on any member difference")
    func objectEquality() {
        let a: JSONObject = ["x": 1, "y": [true, nil]]
        #expect(a == ["y": [true, nil], "x": 1])
        #expect(a != ["x": 1])
        #expect(a != ["x": 1, "y": [true, nil], "z": 0])
        #expect(a != ["x": 2, "y": [true, nil]])
        #expect(a != ["x": 1, "y": [nil, true]])
        #expect(a != ["x": 1, "Y": [true, nil]])
    }

    @Test("values of different kinds are never equal")
    func kinds() {
        let values: [JSONValue] = [nil, false, 0, "", [], [:] as JSONValue, true, 1, "0", [nil], ["": nil]]
        for (i, lhs) in values.enumerated() {
            for (j, rhs) in values.enumerated() {
                #expect((lhs == rhs) == (i == j), "\(lhs) vs \(rhs)")
            }
        }
    }

    @Test("accessors return the payload of their own kind only")
    func accessors() {
        let object: JSONObject = ["a": 1]
        #expect(JSONValue.object(object).objectValue == object)
        #expect(JSONValue.string("s").stringValue == "s")
        #expect(JSONValue.int(-3).intValue == -3)
        #expect(JSONValue.bool(true).boolValue == true)
        #expect(JSONValue.array([1]).arrayValue == [1])
        let null: JSONValue = nil
        #expect(null.objectValue == nil && null.stringValue == nil && null.intValue == nil)
        #expect(null.boolValue == nil && null.arrayValue == nil)
        #expect(JSONValue.int(1).boolValue == nil)
        #expect(JSONValue.bool(true).intValue == nil)
        #expect(JSONValue.string("1").intValue == nil)
        #expect(JSONValue.maxSafeInteger == (1 << 53) - 1)
    }

    @Test("a dictionary literal with a repeated key keeps the last value")
    func literalDuplicates() {
        let object = JSONObject(dictionaryLiteral: ("a", 1), ("b", 2), ("a", 3))
        #expect(object.count == 2)
        #expect(object["a"] == 3)
    }
}
