// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshMSL
import KeyMeshMatrixAPI
import Testing

@Suite("MSL JSON limits and typed reader (docs/MSL.md §1, §12)")
struct MSLJSONTests {
    @Test("integers up to 2^53 inclusive; the Matrix parser and writer keep 2^53-1")
    func integerRange() throws {
        #expect(try MSLJSON.parse(Array("9007199254740992".utf8)) == .int(9_007_199_254_740_992))
        #expect(throws: MSLError(.mslParseError)) { try MSLJSON.parse(Array("9007199254740993".utf8)) }
        #expect(throws: MSLError(.mslParseError)) { try MSLJSON.parse(Array("1.5".utf8)) }
        #expect(try MSLJSON.parse(Array("-9007199254740992".utf8)) == .int(-9_007_199_254_740_992))
        #expect(MSLJSON.string(["n": .int(9_007_199_254_740_992)]) == #"{"n":9007199254740992}"#)
        #expect(MSLJSON.encode(["n": .int(9_007_199_254_740_993)]) == [])
        #expect(throws: JSONParseError.integerOutOfRange(offset: 0)) { try JSONParser.parse("9007199254740992") }
        #expect(throws: CanonicalJSONError.integerOutOfRange(9_007_199_254_740_992)) {
            try CanonicalJSON.encode(.int(9_007_199_254_740_992))
        }
        #expect(try JSONParser.parse("9007199254740991") == .int(9_007_199_254_740_991))
    }

    @Test("NUL is refused in strings and member names; the chosen code is used")
    func nul() {
        #expect(throws: MSLError(.mslParseError)) { try MSLJSON.parse(Array(#"{"a":"x\u0000"}"#.utf8)) }
        #expect(throws: MSLError(.mslParseError)) { try MSLJSON.parse(Array(#"{"a\u0000":1}"#.utf8)) }
        #expect(throws: MSLError(.mslParseError)) { try MSLJSON.parse(Array(#"[["\u0000"]]"#.utf8)) }
        #expect(throws: MSLError(.mastertokenTokendataParseError)) {
            try MSLJSON.parse(Array(#"{"a":"\u0000"}"#.utf8), error: .mastertokenTokendataParseError)
        }
    }

    @Test("size limits of §12")
    func limits() throws {
        let deep16 = String(repeating: "[", count: 16) + String(repeating: "]", count: 16)
        #expect(try MSLJSON.parse(Array(deep16.utf8)) != .null)
        let deep17 = String(repeating: "[", count: 17) + String(repeating: "]", count: 17)
        #expect(throws: MSLError(.mslParseError)) { try MSLJSON.parse(Array(deep17.utf8)) }
        let longString = "\"" + String(repeating: "a", count: 8193) + "\""
        #expect(throws: MSLError(.mslParseError)) { try MSLJSON.parse(Array(longString.utf8)) }
        let okString = "\"" + String(repeating: "a", count: 8192) + "\""
        #expect(try MSLJSON.parse(Array(okString.utf8)).stringValue?.utf8.count == 8192)
        let big = [UInt8](repeating: 0x20, count: 65_536) + Array("1".utf8)
        #expect(throws: MSLError(.mslParseError)) { try MSLJSON.parse(big) }
    }

    @Test("the reader maps missing, mistyped and bad base64 members to its code")
    func reader() throws {
        let value: JSONValue = ["s": "x", "i": 3, "o": ["k": 1], "b": "AAE=", "bad": "AAE"]
        let reader = try MSLObjectReader(value, code: .mastertokenSessiondataParseError)
        #expect(try reader.string("s") == "x")
        #expect(try reader.int("i") == 3)
        #expect(try reader.binary("b") == [0, 1])
        #expect(try reader.optionalString("none") == nil)
        #expect(try reader.optionalObject("o")?["k"] == .int(1))
        let code = MSLError(.mastertokenSessiondataParseError)
        #expect(throws: code) { try reader.string("i") }
        #expect(throws: code) { try reader.int("s") }
        #expect(throws: code) { try reader.object("s") }
        #expect(throws: code) { try reader.binary("bad") }
        #expect(throws: code) { try reader.binary("b", maxBytes: 1) }
        #expect(throws: code) { try reader.string("missing") }
        #expect(throws: code) { try reader.optionalString("i") }
        #expect(throws: MSLError(.keyxInvalidPublicKey)) { try MSLObjectReader("str", code: .keyxInvalidPublicKey) }
    }
}
