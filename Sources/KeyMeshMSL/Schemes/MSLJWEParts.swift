// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// The five parts of an MSL draft JWE, read from either serialization (docs/MSL.md §5.2).
///
/// The first three are kept as the base64url text received: the additional authenticated data
/// is rebuilt from that text, never re-encoded.
struct MSLJWEParts {
    let headerText: String
    let encryptedKeyText: String
    let ivText: String
    let header: [UInt8]
    let encryptedKey: [UInt8]
    let iv: [UInt8]
    let ciphertext: [UInt8]
    let tag: [UInt8]

    /// A wrapped JWK is a few hundred bytes; an 8192-bit key's JWE under 3 KiB.
    static let maxBytes = 16_384
    static let limits = JSONParser.Limits(maxDepth: 4, maxMembers: 16, maxElements: 16,
                                          maxStringBytes: maxBytes, maxInputBytes: maxBytes)

    /// `aad = header "." encrypted_key "." iv`, as received.
    var additionalData: [UInt8] { Array("\(headerText).\(encryptedKeyText).\(ivText)".utf8) }

    /// Input that begins with `{` is the JSON serialization (first recipient only), anything else
    /// compact. A wrong part count, a missing or mistyped member, an empty part or bad base64url is
    /// `JWE_PARSE_ERROR`.
    static func parse(_ data: [UInt8]) throws(MSLError) -> MSLJWEParts {
        guard !data.isEmpty, data.count <= maxBytes else {
            throw MSLError(.jweParseError, "JWE is empty or longer than \(maxBytes) bytes")
        }
        let texts = data.first == UInt8(ascii: "{") ? try jsonTexts(data) : try compactTexts(data)
        return try MSLJWEParts(texts)
    }

    /// header, encrypted key, IV, ciphertext, tag: the five dot-separated parts.
    private static func compactTexts(_ data: [UInt8]) throws(MSLError) -> [String] {
        let parts = data.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 5 else { throw MSLError(.jweParseError, "compact JWE has \(parts.count) parts, not 5") }
        return parts.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The same five texts from the JSON serialization.
    private static func jsonTexts(_ data: [UInt8]) throws(MSLError) -> [String] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(data, limits: limits)
        } catch {
            throw MSLError(.jweParseError, "JWE JSON serialization is not JSON")
        }
        guard let object = value.objectValue,
              let recipient = object["recipients"]?.arrayValue?.first?.objectValue,
              let header = recipient["header"]?.stringValue,
              let encryptedKey = recipient["encrypted_key"]?.stringValue,
              let tag = recipient["integrity_value"]?.stringValue,
              let iv = object["initialization_vector"]?.stringValue,
              let ciphertext = object["ciphertext"]?.stringValue
        else { throw MSLError(.jweParseError, "JWE JSON serialization lacks a member") }
        return [header, encryptedKey, iv, ciphertext, tag]
    }

    private init(_ texts: [String]) throws(MSLError) {
        var bytes: [[UInt8]] = []
        for text in texts {
            let decoded = try MSLBase64URL.decode(text, error: .jweParseError)
            guard !decoded.isEmpty else { throw MSLError(.jweParseError, "JWE has an empty part") }
            bytes.append(decoded)
        }
        headerText = texts[0]
        encryptedKeyText = texts[1]
        ivText = texts[2]
        header = bytes[0]
        encryptedKey = bytes[1]
        iv = bytes[2]
        ciphertext = bytes[3]
        tag = bytes[4]
    }
}
