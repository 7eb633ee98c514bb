// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Appends wire fields to a byte array. Each `write…` returns the number of bytes written.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Starts an empty writer, reserving `capacity` bytes.
    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends one byte.
    @discardableResult
    public mutating func writeByte(_ byte: UInt8) -> Int {
        bytes.append(byte)
        return 1
    }

    /// Appends raw bytes.
    @discardableResult
    public mutating func writeBytes(_ raw: some Collection<UInt8>) -> Int {
        bytes.append(contentsOf: raw)
        return raw.count
    }

    /// Appends an unsigned LEB128 varint.
    @discardableResult
    public mutating func writeVarint(_ value: UInt64) -> Int {
        var value = value
        var written = 0
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
            written += 1
        } while value != 0
        return written
    }

    /// Appends a varint length then `raw`.
    @discardableResult
    public mutating func writeLengthPrefixed(_ raw: some Collection<UInt8>) -> Int {
        writeVarint(UInt64(raw.count)) + writeBytes(raw)
    }
}
