// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Standard base64 with `=` padding, as MSL writes every binary field (docs/MSL.md §1).
///
/// The reader skips ASCII white space (space, tab, CR, LF) as MSL does, then refuses a length
/// that is not a multiple of four, `-` or `_`, padding anywhere but the last one or two
/// characters, and any other character. Non-zero unused bits in the last character are accepted.
public enum MSLBase64 {
    /// Padded standard base64 of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        MSLBase64Alphabet.encode(Array(bytes), table: MSLBase64Alphabet.standard, pad: true)
    }

    /// The bytes of padded standard base64 text.
    /// - Throws: `error` (default `MSL_PARSE_ERROR`) for anything §1 refuses.
    public static func decode(_ text: String, error: MSLErrorCode = .mslParseError) throws(MSLError) -> [UInt8] {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var symbols: [UInt8]
        if text.utf8.contains(where: isSpace) {
            symbols = []
            symbols.reserveCapacity(text.utf8.count)
            for byte in text.utf8 where !isSpace(byte) { symbols.append(byte) }
        } else {
            symbols = Array(text.utf8)
        }
        guard symbols.count % 4 == 0 else { throw MSLError(error, "base64 length is not a multiple of four") }
        var padding = 0
        if symbols.last == UInt8(ascii: "=") { padding += 1 }
        if symbols.count >= 2, symbols[symbols.count - 2] == UInt8(ascii: "=") {
            guard padding == 1 else { throw MSLError(error, "base64 padding in the middle") }
            padding += 1
        }
        let body = symbols[0..<(symbols.count - padding)]
        guard let bytes = MSLBase64Alphabet.decode(body, table: MSLBase64Alphabet.standardValues) else {
            throw MSLError(error, "bad base64 character")
        }
        return bytes
    }
}

/// Base64url without padding, used inside JWK and JWE (docs/MSL.md §1, §5.2).
///
/// The reader refuses `=`, `+`, `/`, white space, any other character, and a length that leaves
/// a single character in the last group.
public enum MSLBase64URL {
    /// Unpadded base64url of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        MSLBase64Alphabet.encode(Array(bytes), table: MSLBase64Alphabet.url, pad: false)
    }

    /// The bytes of unpadded base64url text.
    /// - Throws: `error` (default `MSL_PARSE_ERROR`) for anything §1 refuses.
    public static func decode(_ text: String, error: MSLErrorCode = .mslParseError) throws(MSLError) -> [UInt8] {
        let symbols = Array(text.utf8)
        guard let bytes = MSLBase64Alphabet.decode(symbols[...], table: MSLBase64Alphabet.urlValues) else {
            throw MSLError(error, "bad base64url text")
        }
        return bytes
    }
}

/// The two alphabets and the shared encoder/decoder of MSLBase64 and MSLBase64URL.
enum MSLBase64Alphabet {
    static let standard: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let url: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let standardValues = values(of: standard)
    static let urlValues = values(of: url)

    /// 256 entries: the 6-bit value of each symbol, or 0xFF.
    private static func values(of table: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0xFF, count: 256)
        for (value, symbol) in table.enumerated() { out[Int(symbol)] = UInt8(value) }
        return out
    }

    static func encode(_ bytes: [UInt8], table: [UInt8], pad: Bool) -> String {
        var out: [UInt8] = []
        append(bytes, table: table, pad: pad, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the base64 of `bytes` to `out`: the output length is known, so `out` grows once
    /// and is written in place.
    static func append(_ bytes: [UInt8], table: [UInt8], pad: Bool, to out: inout [UInt8]) {
        let whole = bytes.count / 3 * 3
        let tail = bytes.count - whole
        let length = whole / 3 * 4 + (tail == 0 ? 0 : pad ? 4 : tail + 1)
        guard length > 0 else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: length))
        bytes.withUnsafeBufferPointer { input in
            table.withUnsafeBufferPointer { table in
                out.withUnsafeMutableBufferPointer { buffer in
                    var o = start
                    var i = 0
                    while i < whole {
                        let b0 = input[i], b1 = input[i + 1], b2 = input[i + 2]
                        buffer[o] = table[Int(b0 >> 2)]
                        buffer[o + 1] = table[Int((b0 & 0x03) << 4 | b1 >> 4)]
                        buffer[o + 2] = table[Int((b1 & 0x0F) << 2 | b2 >> 6)]
                        buffer[o + 3] = table[Int(b2 & 0x3F)]
                        i += 3
                        o += 4
                    }
                    guard tail > 0 else { return }
                    let b0 = input[whole]
                    let b1: UInt8 = tail > 1 ? input[whole + 1] : 0
                    buffer[o] = table[Int(b0 >> 2)]
                    buffer[o + 1] = table[Int((b0 & 0x03) << 4 | b1 >> 4)]
                    o += 2
                    if tail > 1 {
                        buffer[o] = table[Int((b1 & 0x0F) << 2)]
                        o += 1
                    } else if pad {
                        buffer[o] = UInt8(ascii: "=")
                        o += 1
                    }
                    if pad { buffer[o] = UInt8(ascii: "=") }
                }
            }
        }
    }

    /// Decodes unpadded symbols; nil for a symbol outside the table or a lone final symbol.
    /// Unused bits of the last symbol are dropped, whatever they hold.
    static func decode(_ symbols: ArraySlice<UInt8>, table: [UInt8]) -> [UInt8]? {
        let count = symbols.count
        guard count % 4 != 1 else { return nil }
        var out = [UInt8](repeating: 0, count: count / 4 * 3 + (count % 4 == 0 ? 0 : count % 4 - 1))
        // Every table value is 0…63 or 0xFF, so any of the top two bits marks a bad symbol.
        let valid = symbols.withUnsafeBufferPointer { input in
            table.withUnsafeBufferPointer { table in
                out.withUnsafeMutableBufferPointer { output in
                    var i = 0
                    var o = 0
                    while i + 4 <= count {
                        let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                        let c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                        guard (a | b | c | d) & 0xC0 == 0 else { return false }
                        let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                        output[o] = UInt8(truncatingIfNeeded: v >> 16)
                        output[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                        output[o + 2] = UInt8(truncatingIfNeeded: v)
                        i += 4
                        o += 3
                    }
                    let rest = count - i
                    guard rest >= 2 else { return true }
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    let c = rest == 3 ? table[Int(input[i + 2])] : 0
                    guard (a | b | c) & 0xC0 == 0 else { return false }
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                    output[o] = UInt8(truncatingIfNeeded: v >> 16)
                    if rest == 3 { output[o + 1] = UInt8(truncatingIfNeeded: v >> 8) }
                    return true
                }
            }
        }
        return valid ? out : nil
    }
}
