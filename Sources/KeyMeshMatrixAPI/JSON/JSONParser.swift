/// A strict RFC 8259 parser producing ``JSONValue`` for signature checks.
///
/// Numbers must denote integers in the canonical-JSON safe range; exponent or fraction forms of
/// an exact integer (`1e10`, `2.0`, `-0`) are accepted as that integer, as the spec's canonical
/// example shows, and any other fraction is ``JSONParseError/floatNotAllowed(offset:)``.
/// Duplicate member names, invalid UTF-8 and lone surrogates are refused. Never traps.
///
/// Time is linear in the input (member lookups are O(1), see ``JSONObject``) and every size is
/// bounded by ``Limits`` (docs/SECURITY.md, "Parsing untrusted input").
public struct JSONParser {
    /// The deepest array/object nesting accepted by default.
    public static let maxDepth = Limits.default.maxDepth

    private let bytes: [UInt8]
    private let limits: Limits
    private var index = 0
    private var depth = 0

    /// Parses one JSON document within `limits`.
    public static func parse(_ bytes: some Collection<UInt8>, limits: Limits = .default) throws(JSONParseError) -> JSONValue {
        let size = bytes.count
        guard size <= limits.maxInputBytes else { throw .inputTooLarge(size: size, limit: limits.maxInputBytes) }
        var parser = JSONParser(bytes: Array(bytes), limits: limits)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw .trailingData(offset: parser.index) }
        return value
    }

    /// Parses one JSON document from a string within `limits`.
    public static func parse(_ text: String, limits: Limits = .default) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }

    private init(bytes: [UInt8], limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

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
        if depth > limits.maxDepth { throw .tooDeep(limit: limits.maxDepth) }
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
            if object.count == limits.maxMembers { throw .tooManyMembers(offset: index, limit: limits.maxMembers) }
            let key = try parseString()
            guard object.appendIfAbsent(key) else { throw .duplicateKey(key) }
            skipWhitespace()
            guard let colon = current else { throw .unexpectedEnd }
            guard colon == UInt8(ascii: ":") else { throw .unexpectedByte(offset: index) }
            index += 1
            skipWhitespace()
            object.setLastValue(try parseValue())
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
            if array.count == limits.maxElements { throw .tooManyElements(offset: index, limit: limits.maxElements) }
            array.append(try parseValue())
            skipWhitespace()
            guard let next = current else { throw .unexpectedEnd }
            index += 1
            if next == UInt8(ascii: "]") { return .array(array) }
            guard next == UInt8(ascii: ",") else { throw .unexpectedByte(offset: index - 1) }
        }
    }

    /// A string from its opening quote. Unescaped strings are validated straight from the input;
    /// only a string with an escape is copied byte by byte.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
            index += 1
        }
        guard let stop = current else { throw .unexpectedEnd }
        guard stop == UInt8(ascii: "\\") else {
            if stop < 0x20 { throw .unescapedControlCharacter(offset: index) }
            return try finishString(bytes[(start + 1)..<index], start: start)
        }
        var out: [UInt8] = []
        out.reserveCapacity(index - start + 16)
        out.append(contentsOf: bytes[(start + 1)..<index])
        while true {
            guard let b = current else { throw .unexpectedEnd }
            switch b {
            case UInt8(ascii: "\""):
                return try finishString(out[...], start: start)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
                if out.count > limits.maxStringBytes { throw .stringTooLong(offset: start, limit: limits.maxStringBytes) }
            case 0x00..<0x20:
                throw .unescapedControlCharacter(offset: index)
            default:
                out.append(b)
                index += 1
            }
        }
    }

    /// Checks length and UTF-8 of a string's bytes; `index` is at its closing quote.
    private mutating func finishString(_ utf8: ArraySlice<UInt8>, start: Int) throws(JSONParseError) -> String {
        guard utf8.count <= limits.maxStringBytes else { throw .stringTooLong(offset: start, limit: limits.maxStringBytes) }
        index += 1
        guard let string = String(validating: utf8, as: UTF8.self) else { throw .invalidUnicode(offset: start) }
        return string
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
            UTF8.encode(unicode) { out.append($0) }
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

    /// A number, reduced exactly to an integer in place: no digit arrays are built.
    private mutating func parseNumber() throws(JSONParseError) -> Int64 {
        let start = index
        var literal = JSONNumberLiteral()
        if current == UInt8(ascii: "-") { literal.negative = true; index += 1 }
        literal.integerDigits = skipDigits()
        guard !literal.integerDigits.isEmpty else { throw .invalidNumber(offset: start) }
        if bytes[literal.integerDigits.lowerBound] == UInt8(ascii: "0"), literal.integerDigits.count > 1 {
            throw .invalidNumber(offset: start)
        }
        if current == UInt8(ascii: ".") {
            index += 1
            literal.fractionDigits = skipDigits()
            if literal.fractionDigits.isEmpty { throw .invalidNumber(offset: start) }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") {
                exponentNegative = current == UInt8(ascii: "-")
                index += 1
            }
            var exponentDigits = skipDigits()
            if exponentDigits.isEmpty { throw .invalidNumber(offset: start) }
            // "1e0001" = 10: leading zeros don't count towards the length cap
            while exponentDigits.count > 1, bytes[exponentDigits.lowerBound] == UInt8(ascii: "0") {
                exponentDigits = (exponentDigits.lowerBound + 1)..<exponentDigits.upperBound
            }
            literal.exponent = exponentDigits.count > 6
                ? 1_000_000 : bytes[exponentDigits].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            if exponentNegative { literal.exponent = -literal.exponent }
        }
        return try literal.integerValue(in: bytes, offset: start, max: limits.maxInteger)
    }

    /// Skips ASCII digits; returns their range.
    private mutating func skipDigits() -> Range<Int> {
        let start = index
        while let b = current, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { index += 1 }
        return start..<index
    }
}

/// The parts of a JSON number as ranges of the input, reduced exactly to an integer or refused.
private struct JSONNumberLiteral {
    var negative = false
    var integerDigits: Range<Int> = 0..<0
    var fractionDigits: Range<Int> = 0..<0
    var exponent = 0

    /// The value of the `k`th digit of integer and fraction digits read as one sequence.
    private func digit(_ k: Int, in bytes: [UInt8]) -> Int64 {
        let position = k < integerDigits.count
            ? integerDigits.lowerBound + k : fractionDigits.lowerBound + (k - integerDigits.count)
        return Int64(bytes[position] &- UInt8(ascii: "0"))
    }

    func integerValue(in bytes: [UInt8], offset: Int, max: Int64) throws(JSONParseError) -> Int64 {
        var end = integerDigits.count + fractionDigits.count
        var scale = exponent - fractionDigits.count
        while end > 1, scale < 0, digit(end - 1, in: bytes) == 0 { end -= 1; scale += 1 }
        var first = 0
        while first < end, digit(first, in: bytes) == 0 { first += 1 }
        if first == end { return 0 }  // any spelling of zero, "-0" included
        if scale < 0 { throw .floatNotAllowed(offset: offset) }
        if (end - first) + scale > 19 { throw .integerOutOfRange(offset: offset) }
        // Up to 19 digits (Int64) with overflow checks, so a caller's `max` may be any Int64.
        var value: Int64 = 0
        for k in first..<end {
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.addingReportingOverflow(digit(k, in: bytes))
            if o1 || o2 { throw .integerOutOfRange(offset: offset) }
            value = next
        }
        for _ in 0..<scale {
            let (next, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { throw .integerOutOfRange(offset: offset) }
            value = next
        }
        guard value <= max else { throw .integerOutOfRange(offset: offset) }
        return negative ? -value : value
    }
}
