// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// jlouis's curve_tun wire constants (docs/channel-protocol.md §9).
/// Every packet travels as `u16be length ‖ payload`; payloads start with an 8-byte magic.
enum CurveTunWire {
    static let maximumPayload = 65535
    /// The largest message: 65535 − 8 (magic) − 8 (counter) − 16 (tag).
    static let maximumMessage = 65503

    static let helloMagic: [UInt8] = [0x6C, 0x09, 0xAF, 0xB2, 0x8A, 0xA9, 0xFA, 0xFC]
    static let cookieMagic: [UInt8] = [0x1C, 0x45, 0xDC, 0xB9, 0x41, 0xC0, 0xE3, 0xF6]
    static let vouchMagic: [UInt8] = [0x6C, 0x09, 0xAF, 0xB2, 0x8A, 0xA9, 0xFA, 0xFD]
    static let messageMagic: [UInt8] = [0x6D, 0x1B, 0x39, 0xCB, 0xF6, 0x5A, 0x11, 0xB4]

    static let clientHello = Array("CurveCP-client-H".utf8)
    static let clientInitiate = Array("CurveCP-client-I".utf8)
    static let clientMessage = Array("CurveCP-client-M".utf8)
    static let serverMessage = Array("CurveCP-server-M".utf8)
    static let cookieBox = Array("CurveCPK".utf8)
    static let vouchBox = Array("CurveCPV".utf8)
    static let minuteKey = Array("minute-k".utf8)

    /// The length of the complete frame at the start of `bytes`, or nil when more are needed.
    static func frameLength(in bytes: UnsafeRawBufferPointer) throws(SecureChannelError) -> Int? {
        guard bytes.count >= 2 else { return nil }
        let length = Int(bytes[0]) << 8 | Int(bytes[1])
        guard length >= 8 + 8 + NaCl.macLength else { throw .badLength(type: 0, length: length) }
        return bytes.count >= 2 + length ? 2 + length : nil
    }

    /// `u16be length ‖ payload`.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        [UInt8(truncatingIfNeeded: payload.count >> 8), UInt8(truncatingIfNeeded: payload.count)] + payload
    }

    /// The payload of a complete frame, checked to start with `magic` and to be `length` bytes
    /// long when a fixed length is given.
    static func payload(_ frame: [UInt8], magic: [UInt8], length: Int? = nil) throws(SecureChannelError) -> ArraySlice<UInt8> {
        guard frame.count >= 2 + 8 else { throw .badLength(type: 0, length: frame.count) }
        let payload = frame[2...]
        guard Array(payload.prefix(8)) == magic else { throw .unexpectedFrame(type: payload[payload.startIndex]) }
        if let length, payload.count != length { throw .badLength(type: magic[0], length: payload.count) }
        return payload
    }
}

/// The server's minute keys: the cookie secret-box key now, and the one before it
/// (docs/channel-protocol.md §9). Cookies are made under ``current`` and accepted under either, so a cookie lives 60–120 s.
public struct MinuteKeys: Sendable {
    public let current: NaClSecretBox
    public let previous: NaClSecretBox?

    public init(current: NaClSecretBox, previous: NaClSecretBox?) {
        self.current = current
        self.previous = previous
    }

    /// The next generation: a fresh key becomes current, the current one becomes previous.
    public func rotated(using random: some RandomSource = SystemRandom()) -> MinuteKeys {
        MinuteKeys(current: NaClSecretBox(using: random), previous: current)
    }
}
