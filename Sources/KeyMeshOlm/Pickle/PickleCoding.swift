// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshWire

/// Reads pickled state; every failure is ``PickleError/malformed``.
struct PickleReader {
    private var reader: ByteReader

    init(_ bytes: [UInt8]) { reader = ByteReader(bytes) }

    mutating func byte() throws(PickleError) -> UInt8 {
        guard let b = reader.readByte() else { throw .malformed }
        return b
    }

    mutating func bool() throws(PickleError) -> Bool {
        switch try byte() {
        case 0: false
        case 1: true
        default: throw .malformed
        }
    }

    mutating func varint() throws(PickleError) -> UInt64 {
        guard let v = try? reader.readVarint() else { throw .malformed }
        return v
    }

    /// A count no larger than `limit`.
    mutating func count(limit: Int) throws(PickleError) -> Int {
        let n = try varint()
        guard n <= UInt64(limit) else { throw .malformed }
        return Int(n)
    }

    mutating func secret() throws(PickleError) -> SecretBytes {
        guard let raw = reader.readBytes(32) else { throw .malformed }
        return SecretBytes(raw)
    }

    mutating func curveSecret() throws(PickleError) -> Curve25519SecretKey {
        do { return try Curve25519SecretKey(secret: try secret()) } catch { throw .malformed }
    }

    mutating func curvePublic() throws(PickleError) -> Curve25519PublicKey {
        guard let raw = reader.readBytes(32), let key = try? Curve25519PublicKey(rawRepresentation: raw) else {
            throw .malformed
        }
        return key
    }

    func finish() throws(PickleError) {
        guard reader.readableBytes == 0 else { throw .malformed }
    }
}

/// Writes pickled state into a buffer the sealer zeroes afterwards.
struct PickleWriter {
    private(set) var writer = ByteWriter(capacity: 4096)

    mutating func byte(_ b: UInt8) { writer.writeByte(b) }
    mutating func bool(_ b: Bool) { writer.writeByte(b ? 1 : 0) }
    mutating func varint(_ v: UInt64) { writer.writeVarint(v) }
    mutating func secret(_ s: SecretBytes) { s.withUnsafeBytes { _ = writer.writeBytes($0) } }
    mutating func curvePublic(_ k: Curve25519PublicKey) { writer.writeBytes(k.rawRepresentation) }

    var bytes: [UInt8] { writer.bytes }
}
