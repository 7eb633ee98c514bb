// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation

/// Unpadded standard base64 (RFC 4648 alphabet `+/`, no `=`), as Matrix uses everywhere.
/// Encoding never pads; decoding accepts padded or unpadded input and rejects anything else.
public enum Base64 {
    /// Encodes without padding: 32 bytes → 43 characters.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var s = Data(bytes).base64EncodedString()
        while s.last == "=" { s.removeLast() }
        return s
    }

    /// Decodes padded or unpadded standard base64.
    ///
    /// Non-zero unused bits in the last character are accepted (RFC 4648 §3.5 leaves this to
    /// the decoder): the Matrix spec's own signing vector has such a seed, and Python and
    /// Synapse accept them. So `"Zh"` and `"Zg"` both decode to `[0x66]`: compare keys by their
    /// bytes, never by their base64 text; ``encode(_:)`` always writes the canonical form.
    /// - Throws: ``Base64Error/invalid`` for characters outside the alphabet, a bad length or
    ///   bad padding.
    public static func decode(_ string: some StringProtocol) throws(Base64Error) -> [UInt8] {
        var utf8 = Array(string.utf8)
        if utf8.count % 4 == 0, utf8.last == UInt8(ascii: "=") {
            utf8.removeLast()
            if utf8.last == UInt8(ascii: "=") { utf8.removeLast() }
        }
        for byte in utf8 {
            let ok = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || (byte >= 0x30 && byte <= 0x39) || byte == 0x2B || byte == 0x2F
            if !ok { throw .invalid }
        }
        if utf8.count % 4 == 1 { throw .invalid }
        utf8 += [UInt8](repeating: 0x3D, count: (4 - utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: Data(utf8)) else { throw .invalid }
        return [UInt8](data)
    }
}

/// Why base64 text could not be decoded.
public enum Base64Error: Error, Equatable, Sendable {
    /// Not valid (un)padded standard base64.
    case invalid
}
