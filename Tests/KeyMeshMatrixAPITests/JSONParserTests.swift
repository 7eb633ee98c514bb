// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import Testing

@Suite("JSON parser: accepted input")
struct JSONParserTests {
    @Test("every spelling of an exact integer is that integer; -0 is 0")
    func integerSpellings() throws {
        let cases: [(String, Int64)] = [
            ("0", 0), ("-0", 0), ("-0.0", 0), ("0e5", 0), ("0.0e-5", 0), ("7", 7), ("-7", -7),
            ("1e10", 10_000_000_000), ("1E+2", 100), ("2.0", 2), ("2.50e1", 25), ("12300e-2", 123),
            ("100000000000000000000e-5", 1_000_000_000_000_000), ("0.00000000000000000001e20", 1),
            ("9007199254740991", JSONValue.maxSafeInteger), ("-9007199254740991", -JSONValue.maxSafeInteger),
            ("9.007199254740991e15", JSONValue.maxSafeInteger), ("900719925474099.1e1", JSONValue.maxSafeInteger),
        ]
        for (text, value) in cases {
            #expect(try JSONParser.parse(text) == .int(value), "\(text)")
        }
    }

    @Test("an exponent written with leading zeros is still that exponent (\"1e0000001\" is 10)")
    func longExponents() throws {
        // JSONParser accepts any exact-integer spelling; seven or more exponent digits must not be
        // taken as "huge" before their leading zeros are dropped.
        #expect(try JSONParser.parse("1e0000001") == .int(10))
        #expect(try JSONParser.parse("10e-0000001") == .int(1))
        #expect(try JSONParser.parse("5E+00000000") == .int(5))
    }

    @Test("escapes decode, in either hex case, with surrogate pairs joined")
    func escapes() throws {
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        #expect(try JSONParser.parse(#""\u65E5\u65e5\u0000\u001F\u007f""#) == .string("日日\u{0}\u{1F}\u{7F}"))
        #expect(try JSONParser.parse(#""\uD83D\uDE00\ud800\udc00\uDBFF\uDFFF""#) == .string("\u{1F600}\u{10000}\u{10FFFF}"))
        #expect(try JSONParser.parse(#""\uFFFF\uE000\uD7FF""#) == .string("\u{FFFF}\u{E000}\u{D7FF}"))
    }

    @Test("raw UTF-8 passes through with its exact scalars, U+007F and astral included")
    func rawUTF8() throws {
        for text in ["日本語", "e\u{301}", "\u{E9}", "\u{7F}", "\u{2028}", "\u{FEFF}", "\u{1F600}", "\u{10FFFF}"] {
            let value = try JSONParser.parse("\"\(text)\"")
            #expect(value.stringValue.map { Array($0.unicodeScalars) } == Array(text.unicodeScalars), "\(text)")
        }
        // exact scalars, not canonical equivalents
        #expect(try JSONParser.parse("\"\u{E9}\"") != .string("e\u{301}"))
    }

    @Test("space, tab, LF and CR around any token are insignificant")
    func whitespace() throws {
        let value = try JSONParser.parse(" \t\r\n{ \"a\" :\t[ 1 ,\n2 ] ,\r\"b\" : { } , \"c\":null\n}\r\n ")
        #expect(value == ["a": [1, 2], "b": [:] as JSONValue, "c": nil])
    }

    @Test("all value kinds at the top level and nested")
    func valueKinds() throws {
        #expect(try JSONParser.parse("true") == true)
        #expect(try JSONParser.parse("false") == false)
        #expect(try JSONParser.parse("null") == nil)
        #expect(try JSONParser.parse("\"\"") == "")
        #expect(try JSONParser.parse("[]") == [])
        #expect(try JSONParser.parse("{}") == [:] as JSONValue)
        let value = try JSONParser.parse(#"{"a":[true,false,null,"s",-3,{"b":[]}]}"#)
        #expect(value == ["a": [true, false, nil, "s", -3, ["b": []]]])
        #expect(value.objectValue?["a"]?.arrayValue?[4].intValue == -3)
        #expect(value.objectValue?["a"]?.arrayValue?[0].boolValue == true)
    }

    @Test("object members keep their order of appearance; '\\u0061' names the same key as 'a'")
    func memberOrder() throws {
        let object = try #require(try JSONParser.parse(#"{"z":1,"a":2,"\u00e9":3,"m":4}"#).objectValue)
        #expect(object.keys == ["z", "a", "\u{E9}", "m"])
        #expect(object.sortedEntries.map(\.key) == ["a", "m", "z", "\u{E9}"])
        #expect(try JSONParser.parse(#"{"\u0061":1}"#) == ["a": 1])
    }

    @Test("bytes and String inputs parse alike")
    func bytesAndString() throws {
        let text = #"{"k":["\u00e9",1]}"#
        #expect(try JSONParser.parse(Array(text.utf8)) == JSONParser.parse(text))
        #expect(try JSONParser.parse(Array(text.utf8)[...]) == JSONParser.parse(text))
    }
}
