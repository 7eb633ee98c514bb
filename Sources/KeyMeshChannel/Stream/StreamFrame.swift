// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Stream-mode framing (docs/channel-protocol.md §2):
///
/// | offset | len | field |
/// |---|---|---|
/// | 0 | 1 | type |
/// | 1 | 4 | length, u32be |
/// | 5 | length | body |
enum StreamFrame {
    static let headerLength = 5

    enum FrameType: UInt8 {
        case hello = 0x01
        case cookieAck = 0x02
        case vouch = 0x03
        case record = 0x04

        /// The body lengths this type may have; checked before a body is buffered.
        var allowedLengths: ClosedRange<Int> {
            switch self {
            case .hello: Hello.bodyLength...Hello.bodyLength
            case .cookieAck: CookieAck.bodyLength...CookieAck.bodyLength
            case .vouch: Vouch.bodyLength...Vouch.bodyLength
            case .record: RecordLayer.minimumBodyLength...RecordLayer.maximumBodyLength
            }
        }
    }

    /// The length of the complete frame at the start of `bytes`, or nil when more are needed.
    static func length(in bytes: UnsafeRawBufferPointer) throws(SecureChannelError) -> Int? {
        guard bytes.count >= 1 else { return nil }
        guard let type = FrameType(rawValue: bytes[0]) else { throw .unexpectedFrame(type: bytes[0]) }
        guard bytes.count >= headerLength else { return nil }
        let length = Int(bytes[1]) << 24 | Int(bytes[2]) << 16 | Int(bytes[3]) << 8 | Int(bytes[4])
        guard type.allowedLengths.contains(length) else { throw .badLength(type: type.rawValue, length: length) }
        return bytes.count >= headerLength + length ? headerLength + length : nil
    }

    /// Splits a complete frame (as delimited by ``length(in:)``) into its type and body.
    static func parse(_ frame: [UInt8]) throws(SecureChannelError) -> (FrameType, ArraySlice<UInt8>) {
        guard frame.count >= headerLength else { throw .badLength(type: frame.first ?? 0, length: frame.count) }
        guard let type = FrameType(rawValue: frame[0]) else { throw .unexpectedFrame(type: frame[0]) }
        let body = frame[headerLength...]
        let declared = Int(frame[1]) << 24 | Int(frame[2]) << 16 | Int(frame[3]) << 8 | Int(frame[4])
        guard declared == body.count, type.allowedLengths.contains(body.count) else {
            throw .badLength(type: type.rawValue, length: body.count)
        }
        return (type, body)
    }

    /// The 5-byte header for a body of `length` bytes.
    static func header(_ type: FrameType, length: Int) -> [UInt8] {
        [type.rawValue, UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
         UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
    }

    /// A whole frame: header and body.
    static func frame(_ type: FrameType, body: [UInt8]) -> [UInt8] {
        header(type, length: body.count) + body
    }
}

/// Nonce prefixes of the keymesh profile (docs/channel-protocol.md §1), 16 ASCII bytes each.
enum StreamNonce {
    static let hello = Array("KeyMesh-Hello---".utf8)
    static let vouch = Array("KeyMesh-Vouch---".utf8)
    static let clientRecord = Array("KeyMesh-Client-M".utf8)
    static let serverRecord = Array("KeyMesh-Server-M".utf8)
    static let clientPacket = Array("KeyMesh-Client-P".utf8)
    static let serverPacket = Array("KeyMesh-Server-P".utf8)
}
