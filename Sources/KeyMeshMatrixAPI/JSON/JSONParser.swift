// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// A strict RFC 8259 parser producing ``JSONValue`` for signature checks.
///
/// Numbers must denote integers in the canonical-JSON safe range; exponent or fraction forms of
/// an exact integer (`1e10`, `2.0`, `-0`) are accepted as that integer, as the spec's canonical
/// example shows, and any other fraction is ``JSONParseError/floatNotAllowed(offset:)``.
/// Duplicate member names, invalid UTF-8 and lone surrogates are refused. Never traps.
public struct JSONParser {
    /// The deepest array/object nesting accepted.
    public static let maxDepth = 100

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    /// Parses one JSON document.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes))
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw .trailingData(offset: parser.index) }
        return value
    }

    /// Parses one JSON document from a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let b = current, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard let b = current else { throw .unexpectedEnd }
        switch b {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try parseNumber())
        default: throw .unexpectedByte(offset: index)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw .unexpectedEnd }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for (offset, byte) in expected.enumerated() where bytes[index + offset] != byte {
            throw .unexpectedByte(offset: index + offset)
        }
        index += count
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw .tooDeep(limit: Self.maxDepth) }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(object) }
        while true {
            skipWhitespace()
            guard let b = current else { throw .unexpectedEnd }
            guard b == UInt8(ascii: "\"") else { throw .unexpectedByte(offset: index) }
            let key = try parseString()
            if object.contains(key) { throw .duplicateKey(key) }
            skipWhitespace()
            guard let colon = current else { throw .unexpectedEnd }
            guard colon == UInt8(ascii: ":") else { throw .unexpectedByte(offset: index) }
            index += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            guard let next = current else { throw .unexpectedEnd }
            index += 1
            if next == UInt8(ascii: "}") { return .object(object) }
            guard next == UInt8(ascii: ",") else { throw .unexpectedByte(offset: index - 1) }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return .array(array) }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            guard let next = current else { throw .unexpectedEnd }
            index += 1
            if next == UInt8(ascii: "]") { return .array(array) }
            guard next == UInt8(ascii: ",") else { throw .unexpectedByte(offset: index - 1) }
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1
        var out: [UInt8] = []
        while true {
            guard let b = current else { throw .unexpectedEnd }
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: out, as: UTF8.self) else {
                    throw .invalidUnicode(offset: start)
                }
                return string
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0x00..<0x20:
                throw .unescapedControlCharacter(offset: index)
            default:
                out.append(b)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard let e = current else { throw .unexpectedEnd }
        index += 1
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw .invalidUnicode(offset: escapeStart) }
                index += 2
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw .invalidUnicode(offset: escapeStart) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw .invalidUnicode(offset: escapeStart)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw .invalidUnicode(offset: escapeStart) }
            out.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw .invalidEscape(offset: escapeStart)
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw .unexpectedEnd }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw .invalidEscape(offset: index)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> Int64 {
        let start = index
        var literal = JSONNumberLiteral()
        if current == UInt8(ascii: "-") { literal.negative = true; index += 1 }
        literal.integerDigits = digits()
        guard let first = literal.integerDigits.first else { throw .invalidNumber(offset: start) }
        if first == 0, literal.integerDigits.count > 1 { throw .invalidNumber(offset: start) }
        if current == UInt8(ascii: ".") {
            index += 1
            literal.fractionDigits = digits()
            if literal.fractionDigits.isEmpty { throw .invalidNumber(offset: start) }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") {
                exponentNegative = current == UInt8(ascii: "-")
                index += 1
            }
            var exponentDigits = digits()
            if exponentDigits.isEmpty { throw .invalidNumber(offset: start) }
            while exponentDigits.count > 1, exponentDigits.first == 0 { exponentDigits.removeFirst() }  // "1e0001" = 10
            literal.exponent = exponentDigits.count > 6 ? 1_000_000 : exponentDigits.reduce(0) { $0 * 10 + Int($1) }
            if exponentNegative { literal.exponent = -literal.exponent }
        }
        return try literal.integerValue(offset: start)
    }

    private mutating func digits() -> [UInt8] {
        var out: [UInt8] = []
        while let b = current, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
            out.append(b - UInt8(ascii: "0"))
            index += 1
        }
        return out
    }
}

/// The parts of a JSON number, reduced exactly to an integer or refused.
private struct JSONNumberLiteral {
    var negative = false
    var integerDigits: [UInt8] = []
    var fractionDigits: [UInt8] = []
    var exponent = 0

    func integerValue(offset: Int) throws(JSONParseError) -> Int64 {
        var digits = integerDigits + fractionDigits
        var scale = exponent - fractionDigits.count
        while let last = digits.last, last == 0, scale < 0, digits.count > 1 { digits.removeLast(); scale += 1 }
        let significant = digits.drop { $0 == 0 }
        if significant.isEmpty { return 0 }  // any spelling of zero, "-0" included
        if scale < 0 { throw .floatNotAllowed(offset: offset) }
        if significant.count + scale > 16 { throw .integerOutOfRange(offset: offset) }
        var value: Int64 = 0
        for digit in significant { value = value * 10 + Int64(digit) }
        for _ in 0..<scale { value *= 10 }
        guard value <= JSONValue.maxSafeInteger else { throw .integerOutOfRange(offset: offset) }
        return negative ? -value : value
    }
}
