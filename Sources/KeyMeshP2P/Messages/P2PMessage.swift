// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI

/// One message: the `content` of a to-device event of type `org.keymesh.p2p.v1` (docs/P2P.md §4).
public struct P2PMessage: Sendable, Equatable {
    /// A plain `body` (session request and response) or the `ciphertext` bytes (ciphertext || tag).
    public enum Payload: Sendable, Equatable {
        case body(JSONObject)
        case ciphertext([UInt8])
    }

    public var header: P2PHeader
    public var payload: Payload

    public init(header: P2PHeader, payload: Payload) {
        self.header = header
        self.payload = payload
    }

    /// Parses raw JSON bytes within the limits of docs/P2P.md §4 (64 KiB, depth 16), then as
    /// ``parse(_:)``.
    public static func parse(bytes: [UInt8]) throws(P2PError) -> P2PMessage {
        try parse(try P2PJSON.parseObject(bytes, what: "message"))
    }

    /// Parses the to-device `content` (docs/P2P.md §4): every check of §4 that does not need a
    /// session. The whole object must fit the limits too (64 KiB of canonical JSON, depth 16).
    public static func parse(_ content: JSONObject) throws(P2PError) -> P2PMessage {
        try P2PJSON.checkLimits(content)
        let reader = P2PJSONReader(content, context: "message")
        guard content["version"]?.intValue == 1 else { throw .malformed("message.version must be 1") }
        let typeName = try reader.string("type")
        guard let type = P2PMessageType(rawValue: typeName) else {
            throw .unknownType(String(typeName.unicodeScalars.prefix(64)))
        }
        let sequence = try reader.int("sequence")
        guard sequence >= 1, UInt64(sequence) <= P2PProtocol.maxSequence else {
            throw .malformed("message.sequence must be 1...2^53-1")
        }
        let header = P2PHeader(
            srcClientID: try reader.id("srcclientid"), srcKeyID: try reader.id("srckeyid"),
            dstClientID: try reader.id("dstclientid"), dstKeyID: try reader.id("dstkeyid"),
            sequence: UInt64(sequence), type: type)
        if type.isPlain {
            guard !content.contains("ciphertext") else { throw .malformed("a plain message has no ciphertext") }
            return P2PMessage(header: header, payload: .body(try reader.object("body")))
        }
        guard !content.contains("body") else { throw .malformed("an encrypted message has no body") }
        let text = try reader.string("ciphertext")
        let raw: [UInt8]
        do { raw = try Base64.decode(text) } catch { throw .malformed("message.ciphertext is not base64") }
        guard raw.count >= P2PCipher.tagLength else { throw .malformed("message.ciphertext is shorter than a tag") }
        return P2PMessage(header: header, payload: .ciphertext(raw))
    }

    /// The to-device `content` object.
    public var content: JSONObject {
        var object: JSONObject = [
            "version": 1,
            "srcclientid": .string(header.srcClientID),
            "srckeyid": .string(header.srcKeyID),
            "dstclientid": .string(header.dstClientID),
            "dstkeyid": .string(header.dstKeyID),
            "sequence": .int(Int64(clamping: header.sequence)),
            "type": .string(header.type.rawValue),
        ]
        switch payload {
        case .body(let body): object["body"] = .object(body)
        case .ciphertext(let bytes): object["ciphertext"] = .string(Base64.encode(bytes))
        }
        return object
    }

    /// The canonical JSON bytes of ``content`` (what a client sends).
    public var bytes: [UInt8] { (try? CanonicalJSON.encode(.object(content))) ?? [] }
}
