// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// A cursor over untrusted bytes.
///
/// Contract (STYLE.md §5): every `read…` returns `nil` when more bytes are needed and then leaves
/// ``readerIndex`` unchanged; it throws ``WireError`` when the bytes are malformed. It never traps.
public struct ByteReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// The index of the next unread byte.
    public private(set) var readerIndex: Int

    /// Starts reading `bytes` at the first byte.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        readerIndex = 0
    }

    /// The number of bytes not yet read.
    public var readableBytes: Int { bytes.count - readerIndex }

    /// Reads one byte.
    public mutating func readByte() -> UInt8? {
        guard readerIndex < bytes.count else { return nil }
        defer { readerIndex += 1 }
        return bytes[readerIndex]
    }

    /// Reads exactly `count` bytes.
    public mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, count <= readableBytes else { return nil }
        defer { readerIndex += count }
        return Array(bytes[readerIndex..<(readerIndex + count)])
    }

    /// Reads an unsigned LEB128 varint (7 bits per byte, low group first, `0x80` = more).
    /// - Throws: ``WireError/varintTooLong`` past 10 bytes or 64 bits.
    public mutating func readVarint() throws(WireError) -> UInt64? {
        var value: UInt64 = 0
        var index = readerIndex
        for shift in stride(from: UInt64(0), to: 70, by: 7) {
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            index += 1
            let group = UInt64(byte & 0x7F)
            if shift == 63, group > 1 { throw .varintTooLong }
            value |= group << shift
            if byte & 0x80 == 0 {
                readerIndex = index
                return value
            }
        }
        throw .varintTooLong
    }

    /// Reads a varint length then that many bytes.
    /// - Throws: ``WireError/varintTooLong``; returns `nil` if the length runs past the input.
    public mutating func readLengthPrefixed() throws(WireError) -> [UInt8]? {
        let start = readerIndex
        guard let length = try readVarint() else { return nil }
        guard length <= UInt64(readableBytes), let out = readBytes(Int(length)) else {
            readerIndex = start
            return nil
        }
        return out
    }
}

/// Why bytes could not be parsed.
public enum WireError: Error, Equatable, Sendable {
    /// A varint ran past 10 bytes or 64 bits.
    case varintTooLong
    /// The input ended inside a field.
    case truncated
    /// A field tag used a wire type this format does not allow.
    case unsupportedWireType(UInt8)
}
