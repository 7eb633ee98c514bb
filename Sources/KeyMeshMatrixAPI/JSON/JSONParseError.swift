// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Why JSON text was refused. `offset` is the byte position where the problem was found.
public enum JSONParseError: Error, Equatable, Sendable {
    /// The input ended before the value did.
    case unexpectedEnd
    /// A byte that cannot start or continue a value at this point.
    case unexpectedByte(offset: Int)
    /// The input is not valid UTF-8, or a `\u` escape forms a lone surrogate.
    case invalidUnicode(offset: Int)
    /// A control character appeared raw inside a string.
    case unescapedControlCharacter(offset: Int)
    /// An unknown escape such as `\x`.
    case invalidEscape(offset: Int)
    /// A number with a fractional value: canonical JSON allows integers only.
    case floatNotAllowed(offset: Int)
    /// An integer outside `[-(2^53)+1, 2^53-1]`.
    case integerOutOfRange(offset: Int)
    /// A number that breaks the JSON grammar (leading zero, lone minus, …).
    case invalidNumber(offset: Int)
    /// The same member name twice in one object (ambiguous under signing).
    case duplicateKey(String)
    /// Arrays and objects nested deeper than the limit.
    case tooDeep(limit: Int)
    /// An object with more members than the limit; `offset` is where the extra member starts.
    case tooManyMembers(offset: Int, limit: Int)
    /// An array with more elements than the limit; `offset` is where the extra element starts.
    case tooManyElements(offset: Int, limit: Int)
    /// A string (or member name) longer than the limit in UTF-8 bytes; `offset` is its opening quote.
    case stringTooLong(offset: Int, limit: Int)
    /// A document larger than the limit, refused before any parsing.
    case inputTooLarge(size: Int, limit: Int)
    /// Something other than whitespace followed the value.
    case trailingData(offset: Int)
}
