// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshWire

/// The fields of an Olm message body, read in any order; unknown fields are skipped and a
/// repeated field keeps its last value, as libolm and vodozemac do (docs/OLM.md).
struct MessageFields {
    private(set) var bytesFields: [UInt64: [UInt8]] = [:]
    private(set) var varintFields: [UInt64: UInt64] = [:]

    init(body: ArraySlice<UInt8>) throws(MessageDecodeError) {
        var reader = ByteReader(Array(body))
        while reader.readableBytes > 0 {
            let field: ProtobufField?
            do { field = try reader.readProtobufField() } catch { throw .malformedBody(error) }
            switch field {
            case .varint(let number, let value)?: varintFields[number] = value
            case .bytes(let number, let value)?: bytesFields[number] = value
            case .fixed?: continue
            case nil: throw .malformedBody(.truncated)
            }
        }
    }

    func key(_ field: UInt64) throws(MessageDecodeError) -> Curve25519PublicKey {
        guard let raw = bytesFields[field] else { throw .missingField(field) }
        do { return try Curve25519PublicKey(rawRepresentation: raw) } catch {
            throw .invalidKeyLength(field: field, length: raw.count)
        }
    }

    func bytes(_ field: UInt64) throws(MessageDecodeError) -> [UInt8] {
        guard let raw = bytesFields[field] else { throw .missingField(field) }
        return raw
    }

    func varint(_ field: UInt64) throws(MessageDecodeError) -> UInt64 {
        guard let value = varintFields[field] else { throw .missingField(field) }
        return value
    }
}
