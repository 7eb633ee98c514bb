// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import Testing

/// Large and hostile documents: the limits of ``JSONParser/Limits`` and the hash index of
/// ``JSONObject`` (docs/SECURITY.md, "Parsing untrusted input"). Costs are measured by
/// `keymesh bench json`, not here.
@Suite("JSON parser: size and depth limits")
struct JSONLimitsTests {
    /// `{"k0":0,"k1":1,…}` growing to about `bytes` bytes; returns the text and member count.
    static func bigObject(bytes: Int) -> (text: [UInt8], members: Int) {
        var out: [UInt8] = [UInt8(ascii: "{")]
        var n = 0
        while out.count < bytes - 24 {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("\"k\(String(n, radix: 16))\":\(n % 1000)".utf8)
            n += 1
        }
        out.append(UInt8(ascii: "}"))
        return (out, n)
    }

    @Test("a 1 MiB object of small members parses with every member found by its exact name")
    func oneMebibyteObject() throws {
        let (text, members) = Self.bigObject(bytes: 1 << 20)
        #expect(members > 80_000)
        let object = try #require(try JSONParser.parse(text).objectValue)
        #expect(object.count == members)
        for n in stride(from: 0, to: members, by: 997) {
            #expect(object["k\(String(n, radix: 16))"] == .int(Int64(n % 1000)))
        }
        #expect(object.keys.first == "k0")
        #expect(object.keys.last == "k\(String(members - 1, radix: 16))")
        #expect(object["k"] == nil)
        #expect(object == object)
    }

    @Test("in a large object, canonically equivalent names stay two members and duplicates are refused")
    func exactNamesInLargeObject() throws {
        let filler = (0..<200).map { "\"f\($0)\":\($0)" }.joined(separator: ",")
        let text = "{\(filler),\"caf\\u00e9\":1,\"cafe\u{301}\":2}"
        let object = try #require(try JSONParser.parse(text).objectValue)
        #expect(object.count == 202)
        #expect(object["caf\u{E9}"] == 1)
        #expect(object["cafe\u{301}"] == 2)
        #expect(object.sortedEntries.filter { $0.key.hasPrefix("caf") }.map { Array($0.key.unicodeScalars) }
            == [Array("cafe\u{301}".unicodeScalars), Array("caf\u{E9}".unicodeScalars)])

        #expect(throws: JSONParseError.duplicateKey("f150")) { try JSONParser.parse("{\(filler),\"f150\":0}") }
        #expect(throws: JSONParseError.duplicateKey("caf\u{E9}")) {
            try JSONParser.parse("{\(filler),\"caf\u{E9}\":1,\"caf\\u00e9\":2}")
        }
    }

    @Test("members set and removed in a large object keep the index right")
    func largeObjectEdits() throws {
        var object = JSONObject((0..<100).map { ("m\($0)", JSONValue.int(Int64($0))) })
        for n in stride(from: 0, to: 100, by: 3) { object["m\(n)"] = nil }
        object["m1"] = "one"
        object["new"] = true
        #expect(object.count == 100 - 34 + 1)
        #expect(object["m0"] == nil && object["m99"] == nil && object["m98"] == 98)
        #expect(object["m1"] == "one" && object["new"] == true)
        #expect(object.keys.prefix(3) == ["m1", "m2", "m4"])
        #expect(object.keys.last == "new")
        let reversed = JSONObject(object.reversed().map { ($0.key, $0.value) })
        #expect(reversed == object)
        var different = reversed
        different["m2"] = 3
        #expect(different != object)
        while let key = object.keys.first { object[key] = nil }
        #expect(object.isEmpty && object["m1"] == nil)
        object["again"] = 1
        #expect(object == ["again": 1])
    }

    @Test("an array nested to the depth limit parses; one level deeper and a 1 MiB nest are refused")
    func depth() throws {
        let limit = JSONParser.maxDepth
        let atLimit = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(try JSONParser.parse(atLimit).arrayValue?.count == 1)
        let over = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONParseError.tooDeep(limit: limit)) { try JSONParser.parse(over) }
        let huge = [UInt8](repeating: UInt8(ascii: "["), count: 1 << 20)
        #expect(throws: JSONParseError.tooDeep(limit: limit)) { try JSONParser.parse(huge) }
        let objects = String(repeating: #"{"a":"#, count: 1 << 16)
        #expect(throws: JSONParseError.tooDeep(limit: limit)) { try JSONParser.parse(objects) }
        let custom = JSONParser.Limits(maxDepth: 3)
        #expect(try JSONParser.parse("[[[]]]", limits: custom) == [[[]]])
        #expect(throws: JSONParseError.tooDeep(limit: 3)) { try JSONParser.parse("[[[{}]]]", limits: custom) }
    }

    @Test("members per object are limited")
    func members() throws {
        let limits = JSONParser.Limits(maxMembers: 3)
        #expect(try JSONParser.parse(#"{"a":1,"b":2,"c":{"d":1,"e":2,"f":3}}"#, limits: limits).objectValue?.count == 3)
        #expect(throws: JSONParseError.tooManyMembers(offset: 20, limit: 3)) {
            try JSONParser.parse(#"{"a":1,"b":2,"c":3, "d":4}"#, limits: limits)
        }
        let (text, members) = Self.bigObject(bytes: 1 << 20)
        let lastMember = text.lastIndex(of: UInt8(ascii: ",")).map { $0 + 1 } ?? 0
        #expect(throws: JSONParseError.tooManyMembers(offset: lastMember, limit: members - 1)) {
            try JSONParser.parse(text, limits: JSONParser.Limits(maxMembers: members - 1))
        }
        #expect(JSONParser.Limits.default.maxMembers >= members)
    }

    @Test("elements per array are limited")
    func elements() throws {
        let limits = JSONParser.Limits(maxElements: 2)
        #expect(try JSONParser.parse("[[1,2],[3,4]]", limits: limits) == [[1, 2], [3, 4]])
        #expect(throws: JSONParseError.tooManyElements(offset: 5, limit: 2)) { try JSONParser.parse("[1,2,3]", limits: limits) }
        let big = "[" + Array(repeating: "12345", count: 170_000).joined(separator: ",") + "]"
        #expect(big.utf8.count > 1_000_000)
        #expect(try JSONParser.parse(big).arrayValue?.count == 170_000)
    }

    @Test("string length is limited in UTF-8 bytes after unescaping, member names included")
    func stringLength() throws {
        let limits = JSONParser.Limits(maxStringBytes: 4)
        #expect(try JSONParser.parse(#"["abcd","\u00e9\u00e9","\n\n\n\n"]"#, limits: limits).arrayValue?.count == 3)
        #expect(throws: JSONParseError.stringTooLong(offset: 1, limit: 4)) { try JSONParser.parse(#"["abcde"]"#, limits: limits) }
        #expect(throws: JSONParseError.stringTooLong(offset: 0, limit: 4)) { try JSONParser.parse(#""\u00e9\u00e9\u00e9""#, limits: limits) }
        #expect(throws: JSONParseError.stringTooLong(offset: 1, limit: 4)) { try JSONParser.parse(#"{"long key":1}"#, limits: limits) }
        #expect(throws: JSONParseError.stringTooLong(offset: 0, limit: 4)) { try JSONParser.parse("\"ab\\ncde\"", limits: limits) }
    }

    @Test("a document larger than the input limit is refused before parsing")
    func inputSize() throws {
        let limits = JSONParser.Limits(maxInputBytes: 8)
        #expect(try JSONParser.parse(#"{"a":12}"#, limits: limits) == ["a": 12])
        #expect(throws: JSONParseError.inputTooLarge(size: 9, limit: 8)) { try JSONParser.parse(#"{"a":123}"#, limits: limits) }
        #expect(JSONParser.Limits.default.maxInputBytes >= 1 << 20)
    }
}
