// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import Testing

@Suite("JSON parser: refused input and its typed errors")
struct JSONParseErrorTests {
    /// Expects `input` to be refused with exactly `error`.
    static func refuse(_ input: [UInt8], _ error: JSONParseError, sourceLocation: SourceLocation = #_sourceLocation) {
        let label = String(decoding: input.prefix(40), as: UTF8.self)
        #expect(throws: error, "\(label)", sourceLocation: sourceLocation) { try JSONParser.parse(input) }
    }

    static func refuse(_ input: String, _ error: JSONParseError, sourceLocation: SourceLocation = #_sourceLocation) {
        refuse(Array(input.utf8), error, sourceLocation: sourceLocation)
    }

    @Test("fractions are floatNotAllowed at the number's offset")
    func floats() {
        for text in ["1.5", "1e-1", "0.1", "-2.25", "123e-4", "1.0000001", "9007199254740991.5", "1e-1000000000"] {
            Self.refuse(text, .floatNotAllowed(offset: 0))
        }
        Self.refuse("[1, 2.5]", .floatNotAllowed(offset: 4))
        Self.refuse(#"{"a":-0.5}"#, .floatNotAllowed(offset: 5))
    }

    @Test("integers beyond ±(2^53-1) are integerOutOfRange")
    func outOfRange() {
        for text in ["9007199254740992", "-9007199254740992", "1e16", "-1e16", "9.007199254740992e15",
                     "10000000000000000", "99999999999999999999", "1e1000000000", "18446744073709551616"] {
            Self.refuse(text, .integerOutOfRange(offset: 0))
        }
        Self.refuse("[0,9007199254740992]", .integerOutOfRange(offset: 3))
    }

    @Test("numbers outside the JSON grammar are invalidNumber or unexpectedByte")
    func numberGrammar() {
        for text in ["01", "-01", "00", "-", "-a", "1.", "1.e5", "1e", "1e+", "1E-", "-Infinity"] {
            Self.refuse(text, .invalidNumber(offset: 0))
        }
        Self.refuse("[1,-]", .invalidNumber(offset: 3))
        for text in ["+1", ".5", "NaN", "Infinity", "x10"] {
            Self.refuse(text, .unexpectedByte(offset: 0))
        }
        Self.refuse("0x10", .trailingData(offset: 1))
    }

    @Test("anything but whitespace after the value is trailingData")
    func trailingData() {
        Self.refuse("{} x", .trailingData(offset: 3))
        Self.refuse("1 2", .trailingData(offset: 2))
        Self.refuse("{}}", .trailingData(offset: 2))
        Self.refuse("[]\u{0C}", .trailingData(offset: 2))
        Self.refuse("\"a\"\"b\"", .trailingData(offset: 3))
        Self.refuse([0x7B, 0x7D, 0x00], .trailingData(offset: 2))
    }

    @Test("empty or truncated input is unexpectedEnd")
    func unexpectedEnd() {
        for text in ["", "   ", "\n\t", "\"abc", "\"\\", "\"\\u12", "[", "[1,2", "[1,", "{", "{\"a\"", "{\"a\":",
                     "{\"a\":1", "{\"a\":1,", "tru", "nul", "f"] {
            Self.refuse(text, .unexpectedEnd)
        }
    }

    @Test("misplaced structural bytes are unexpectedByte at their offset")
    func structure() {
        Self.refuse("[,]", .unexpectedByte(offset: 1))
        Self.refuse("[1,2,]", .unexpectedByte(offset: 5))
        Self.refuse("[1 2]", .unexpectedByte(offset: 3))
        Self.refuse("{a:1}", .unexpectedByte(offset: 1))
        Self.refuse(#"{"a" 1}"#, .unexpectedByte(offset: 5))
        Self.refuse(#"{"a":1,}"#, .unexpectedByte(offset: 7))
        Self.refuse(#"{"a":1 "b":2}"#, .unexpectedByte(offset: 7))
        Self.refuse("trux", .unexpectedByte(offset: 3))
        Self.refuse("True", .unexpectedByte(offset: 0))
        Self.refuse("'a'", .unexpectedByte(offset: 0))
        Self.refuse("\u{0C}1", .unexpectedByte(offset: 0))
        Self.refuse("\u{A0}1", .unexpectedByte(offset: 0))
        Self.refuse([0xFF], .unexpectedByte(offset: 0))
    }

    @Test("a member name twice in one object is duplicateKey, whatever its spelling")
    func duplicateKeys() throws {
        Self.refuse(#"{"a":1,"a":2}"#, .duplicateKey("a"))
        Self.refuse(#"{"a":1,"\u0061":2}"#, .duplicateKey("a"))
        Self.refuse(#"{"x":{"é":1,"\u00e9":1}}"#, .duplicateKey("é"))
        Self.refuse(#"{"\uD83D\uDE00":1,"😀":2}"#, .duplicateKey("😀"))
        // the same name in different objects, or canonically-equivalent names, are not duplicates
        _ = try JSONParser.parse(#"{"a":{"a":1},"b":{"a":2}}"#)
        _ = try JSONParser.parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
    }

    @Test("invalid UTF-8 inside a string is invalidUnicode at the string's start")
    func invalidUTF8() {
        let bad: [[UInt8]] = [
            [0xC3, 0x28],             // bad continuation byte
            [0x80],                   // lone continuation byte
            [0xE6, 0x97],             // truncated sequence
            [0xC0, 0xAF],             // overlong "/"
            [0xE0, 0x80, 0xAF],       // overlong "/"
            [0xED, 0xA0, 0x80],       // UTF-8-encoded surrogate U+D800
            [0xF4, 0x90, 0x80, 0x80], // above U+10FFFF
            [0xF5, 0x80, 0x80, 0x80],
            [0xFE], [0xFF],
        ]
        for bytes in bad {
            Self.refuse([0x22] + bytes + [0x22], .invalidUnicode(offset: 0))
            Self.refuse(Array(#"{"k":""#.utf8) + bytes + [0x22, 0x7D], .invalidUnicode(offset: 5))
        }
    }

    @Test("lone or misordered surrogate escapes are invalidUnicode at the escape")
    func loneSurrogates() {
        for text in [#""\uD800""#, #""\uDC00""#, #""\uDFFF""#, #""\uD800\u0041""#, #""\uD800x""#,
                     #""\uDBFF\uDBFF""#, #""\uDC00\uD800""#, #""\uD83D""#] {
            Self.refuse(text, .invalidUnicode(offset: 1))
        }
        Self.refuse(#""ab\uDE00""#, .invalidUnicode(offset: 3))
    }

    @Test("raw control characters in a string are unescapedControlCharacter; raw U+007F is fine")
    func rawControls() throws {
        for code in UInt8(0)..<0x20 {
            Self.refuse([0x22, 0x61, code, 0x22], .unescapedControlCharacter(offset: 2))
        }
        #expect(try JSONParser.parse([0x22, 0x7F, 0x22]) == .string("\u{7F}"))
    }

    @Test("unknown escapes and bad hex digits are invalidEscape")
    func badEscapes() {
        for text in [#""\x""#, #""\'""#, #""\0""#, #""\U0041""#, #""\a""#, #""\ ""#] {
            Self.refuse(text, .invalidEscape(offset: 1))
        }
        Self.refuse(#""\u00G0""#, .invalidEscape(offset: 5))
        Self.refuse(#""\u-123""#, .invalidEscape(offset: 3))
        Self.refuse(#""\uD83D\uDE0Z""#, .invalidEscape(offset: 12))
    }

    @Test("nesting beyond maxDepth is tooDeep; maxDepth itself is accepted")
    func depth() throws {
        let limit = JSONParser.maxDepth
        #expect(limit >= 32)
        let arrays = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        _ = try JSONParser.parse(arrays)
        let objects = String(repeating: #"{"a":"#, count: limit) + "1" + String(repeating: "}", count: limit)
        _ = try JSONParser.parse(objects)
        Self.refuse("[" + arrays + "]", .tooDeep(limit: limit))
        Self.refuse(#"{"a":"# + objects + "}", .tooDeep(limit: limit))
        // unterminated and very deep: refused without exhausting the stack
        Self.refuse(String(repeating: #"{"a":["#, count: 50_000), .tooDeep(limit: limit))
        Self.refuse(String(repeating: "[", count: 1_000_000), .tooDeep(limit: limit))
    }
}
