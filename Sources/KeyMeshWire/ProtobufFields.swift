// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The protobuf-style fields that Olm and Megolm messages use (docs/OLM.md):
/// tag = `(field << 3) | wireType`, wire type 0 = varint, 2 = length-delimited.
public enum ProtobufField: Equatable, Sendable {
    /// A varint field.
    case varint(field: UInt64, value: UInt64)
    /// A length-delimited field.
    case bytes(field: UInt64, value: [UInt8])
    /// A fixed-width field (wire types 1 and 5), skipped by Olm readers like libolm and vodozemac.
    case fixed(field: UInt64)
}

extension ByteReader {
    /// Reads one field. Unknown fixed-width fields are returned as ``ProtobufField/fixed(field:)``
    /// so callers can skip them; other wire types throw.
    /// - Returns: `nil` if the input ends inside the field (index unchanged).
    public mutating func readProtobufField() throws(WireError) -> ProtobufField? {
        let start = readerIndex
        guard let tag = try readVarint() else { return nil }
        let field = tag >> 3
        let wireType = UInt8(tag & 0x07)
        switch wireType {
        case 0:
            guard let value = try readVarint() else { self = rewound(to: start); return nil }
            return .varint(field: field, value: value)
        case 2:
            guard let value = try readLengthPrefixed() else { self = rewound(to: start); return nil }
            return .bytes(field: field, value: value)
        case 1, 5:
            guard readBytes(wireType == 1 ? 8 : 4) != nil else { self = rewound(to: start); return nil }
            return .fixed(field: field)
        default:
            throw .unsupportedWireType(wireType)
        }
    }

    private func rewound(to index: Int) -> ByteReader {
        var copy = ByteReader(bytes)
        _ = copy.readBytes(index)
        return copy
    }
}

extension ByteWriter {
    /// Writes a varint field.
    @discardableResult
    public mutating func writeVarintField(_ field: UInt64, _ value: UInt64) -> Int {
        writeVarint(field << 3) + writeVarint(value)
    }

    /// Writes a length-delimited field.
    @discardableResult
    public mutating func writeBytesField(_ field: UInt64, _ value: some Collection<UInt8>) -> Int {
        writeVarint((field << 3) | 2) + writeLengthPrefixed(value)
    }
}
