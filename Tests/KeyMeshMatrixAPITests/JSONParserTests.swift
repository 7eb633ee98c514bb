// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import Testing

@Suite("Strict JSON parser")
struct JSONParserTests {
    @Test("exact integers in any spelling are accepted; -0 is 0")
    func integerSpellings() throws {
        for (text, value) in [("0", Int64(0)), ("-0", 0), ("1e10", 10_000_000_000), ("2.0", 2), ("2.50e1", 25),
                              ("1E+2", 100), ("12300e-2", 123), ("0.0e5", 0), ("9007199254740991", 9_007_199_254_740_991),
                              ("-9007199254740991", -9_007_199_254_740_991)] {
            #expect(try JSONParser.parse(text) == .int(value), "\(text)")
        }
    }

    @Test("floats are refused with floatNotAllowed")
    func floats() {
        for text in ["1.5", "1e-1", "0.1", "-2.25", "123e-4"] {
            #expect(throws: JSONParseError.floatNotAllowed(offset: 0), "\(text)") { try JSONParser.parse(text) }
        }
    }

    @Test("integers outside the safe range are refused")
    func outOfRange() {
        for text in ["9007199254740992", "-9007199254740992", "1e16", "99999999999999999999", "1e1000000000"] {
            #expect(throws: JSONParseError.integerOutOfRange(offset: 0), "\(text)") { try JSONParser.parse(text) }
        }
    }

    @Test("grammar violations are typed errors with offsets")
    func grammar() {
        #expect(throws: JSONParseError.invalidNumber(offset: 0)) { try JSONParser.parse("01") }
        #expect(throws: JSONParseError.invalidNumber(offset: 0)) { try JSONParser.parse("-") }
        #expect(throws: JSONParseError.invalidNumber(offset: 0)) { try JSONParser.parse("1.") }
        #expect(throws: JSONParseError.invalidNumber(offset: 0)) { try JSONParser.parse("1e") }
        #expect(throws: JSONParseError.trailingData(offset: 3)) { try JSONParser.parse("{} x") }
        #expect(throws: JSONParseError.unexpectedEnd) { try JSONParser.parse("") }
        #expect(throws: JSONParseError.unexpectedEnd) { try JSONParser.parse("   ") }
        #expect(throws: JSONParseError.unexpectedEnd) { try JSONParser.parse("\"abc") }
        #expect(throws: JSONParseError.unexpectedEnd) { try JSONParser.parse("[1,2") }
        #expect(throws: JSONParseError.unexpectedEnd) { try JSONParser.parse("{\"a\":1") }
        #expect(throws: JSONParseError.unexpectedByte(offset: 1)) { try JSONParser.parse("[,]") }
        #expect(throws: JSONParseError.unexpectedByte(offset: 5)) { try JSONParser.parse("[1,2,]") }
        #expect(throws: JSONParseError.unexpectedByte(offset: 1)) { try JSONParser.parse("{a:1}") }
        #expect(throws: JSONParseError.unexpectedEnd) { try JSONParser.parse("tru") }
        #expect(throws: JSONParseError.unexpectedByte(offset: 3)) { try JSONParser.parse("trux") }
        #expect(throws: JSONParseError.unexpectedByte(offset: 0)) { try JSONParser.parse("NaN") }
    }

    @Test("duplicate member names are refused")
    func duplicates() {
        #expect(throws: JSONParseError.duplicateKey("a")) { try JSONParser.parse(#"{"a":1,"a":2}"#) }
        #expect(throws: JSONParseError.duplicateKey("a")) { try JSONParser.parse(#"{"a":1,"\u0061":2}"#) }
    }

    @Test("invalid UTF-8, lone surrogates, raw controls and bad escapes are refused")
    func strings() {
        #expect(throws: JSONParseError.invalidUnicode(offset: 0)) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.invalidUnicode(offset: 0)) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
        #expect(throws: JSONParseError.invalidUnicode(offset: 1)) { try JSONParser.parse(#""\uD800""#) }
        #expect(throws: JSONParseError.invalidUnicode(offset: 1)) { try JSONParser.parse(#""\uDC00""#) }
        #expect(throws: JSONParseError.invalidUnicode(offset: 1)) { try JSONParser.parse(#""\uD800\u0041""#) }
        #expect(throws: JSONParseError.unescapedControlCharacter(offset: 1)) { try JSONParser.parse("\"\u{0A}\"") }
        #expect(throws: JSONParseError.invalidEscape(offset: 1)) { try JSONParser.parse(#""\x""#) }
        #expect(throws: JSONParseError.invalidEscape(offset: 5)) { try JSONParser.parse(#""\u00G0""#) }
    }

    @Test("escapes decode, surrogate pairs included")
    func escapesDecode() throws {
        #expect(try JSONParser.parse(#""\u65E5\uD83D\uDE00\/\b\f\n\r\t\"\\""#) == .string("日\u{1F600}/\u{08}\u{0C}\n\r\t\"\\"))
    }

    @Test("nesting deeper than the limit is refused, at the limit accepted")
    func depth() throws {
        let limit = JSONParser.maxDepth
        _ = try JSONParser.parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit))
        #expect(throws: JSONParseError.tooDeep(limit: limit)) {
            try JSONParser.parse(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1))
        }
        #expect(throws: JSONParseError.tooDeep(limit: limit)) {
            try JSONParser.parse(String(repeating: "{\"a\":", count: 5000))
        }
    }
}
