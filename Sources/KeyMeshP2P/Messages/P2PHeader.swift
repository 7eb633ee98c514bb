// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The header members of every message (docs/P2P.md §4).
public struct P2PHeader: Sendable, Equatable {
    /// The sender's device id.
    public var srcClientID: String
    /// The sender's key id of the session.
    public var srcKeyID: String
    /// The receiver's device id.
    public var dstClientID: String
    /// The receiver's key id of the session.
    public var dstKeyID: String
    /// 1 to 2^53-1, counted per direction.
    public var sequence: UInt64
    public var type: P2PMessageType

    public init(srcClientID: String, srcKeyID: String, dstClientID: String, dstKeyID: String,
                sequence: UInt64, type: P2PMessageType) {
        self.srcClientID = srcClientID
        self.srcKeyID = srcKeyID
        self.dstClientID = dstClientID
        self.dstKeyID = dstKeyID
        self.sequence = sequence
        self.type = type
    }

    /// The associated data of an encrypted message (docs/P2P.md §6):
    /// `"org.keymesh.p2p.v1" || lp(type) || lp(srcclientid) || lp(srckeyid) || lp(dstclientid)
    /// || lp(dstkeyid) || u64(sequence)`.
    public var associatedData: [UInt8] {
        var out = Array(P2PProtocol.name.utf8)
        for text in [type.rawValue, srcClientID, srcKeyID, dstClientID, dstKeyID] {
            P2PEncoding.appendLP(text, to: &out)
        }
        P2PEncoding.appendU64(sequence, to: &out)
        return out
    }
}

/// The byte encodings of docs/P2P.md §2.
enum P2PEncoding {
    /// lp(s): the UTF-8 bytes of `s` after their length as 2 bytes big-endian. Ids are at most
    /// 255 bytes and the other inputs are constants, so the length always fits.
    static func appendLP(_ text: String, to out: inout [UInt8]) {
        let bytes = Array(text.utf8)
        let length = UInt16(clamping: bytes.count)
        out.append(UInt8(length >> 8))
        out.append(UInt8(length & 0xFF))
        out.append(contentsOf: bytes.prefix(Int(length)))
    }

    /// u64(n): 8 bytes big-endian.
    static func appendU64(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
