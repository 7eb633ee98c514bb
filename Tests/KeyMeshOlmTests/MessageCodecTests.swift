// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshTestSupport
import Testing

@testable import KeyMeshOlm

@Suite("Olm message encoding")
struct MessageCodecTests {
    // vodozemac src/olm/messages/message.rs: 03 0A 20 <key> 10 02 22 0A "ciphertext" + MAC(8)
    static let key = [UInt8](repeating: 0x11, count: 32)
    static let mac = [UInt8](repeating: 0xAA, count: 8)
    static let vodozemacLayout: [UInt8] = [0x03, 0x0A, 0x20] + key + [0x10, 0x02, 0x22, 0x0A]
        + Array("ciphertext".utf8) + mac

    @Test("parses vodozemac's normal-message layout")
    func parsesReferenceLayout() throws {
        let message = try NormalMessage(bytes: Self.vodozemacLayout)
        #expect(message.ratchetKey.rawRepresentation == Self.key)
        #expect(message.chainIndex == 2)
        #expect(message.ciphertext == Array("ciphertext".utf8))
        #expect(Array(message.mac) == Self.mac)
    }

    @Test("writes fields in spec order and round-trips")
    func writesSpecOrder() throws {
        let message = NormalMessage(ratchetKey: try Curve25519PublicKey(rawRepresentation: Self.key), chainIndex: 2,
                                    ciphertext: Array("ciphertext".utf8), mac: { _ in Self.mac + Self.mac })
        #expect(message.bytes == Self.vodozemacLayout)
        #expect(try NormalMessage(bytes: message.bytes) == message)
    }

    @Test("reads fields in any order and skips unknown fields, like libolm and vodozemac")
    func anyOrderUnknownFields() throws {
        let body: [UInt8] = [0x22, 0x0A] + Array("ciphertext".utf8) + [0x28, 0x07]  // unknown varint field 5
            + [0x3A, 0x01, 0xFF]                                                       // unknown bytes field 7
            + [0x10, 0x02, 0x0A, 0x20] + Self.key + [0x4D, 1, 2, 3, 4]               // fixed32 field 9
        let message = try NormalMessage(bytes: [0x03] + body + Self.mac)
        #expect(message.chainIndex == 2)
        #expect(message.ratchetKey.rawRepresentation == Self.key)
    }

    @Test("refuses wrong versions, short input, missing fields and bad key lengths with typed errors")
    func typedErrors() {
        #expect(throws: MessageDecodeError.invalidVersion(expected: 3, got: 4)) {
            try NormalMessage(bytes: [0x04] + Self.vodozemacLayout.dropFirst())
        }
        #expect(throws: MessageDecodeError.messageTooShort(length: 0)) { try NormalMessage(bytes: []) }
        #expect(throws: MessageDecodeError.messageTooShort(length: 9)) { try NormalMessage(bytes: [0x03] + Self.mac) }
        #expect(throws: MessageDecodeError.missingField(4)) {
            try NormalMessage(bytes: [0x03, 0x0A, 0x20] + Self.key + [0x10, 0x02] + Self.mac)
        }
        #expect(throws: MessageDecodeError.invalidKeyLength(field: 1, length: 31)) {
            try NormalMessage(bytes: [0x03, 0x0A, 0x1F] + Self.key.dropLast() + [0x10, 0x02, 0x22, 0x00] + Self.mac)
        }
        #expect(throws: MessageDecodeError.malformedBody(.truncated)) {
            try NormalMessage(bytes: [0x03, 0x0A, 0x20, 0x01] + Self.mac)
        }
        #expect(throws: MessageDecodeError.unknownMessageType(2)) { try OlmMessage(type: 2, bytes: Self.vodozemacLayout) }
        #expect(throws: MessageDecodeError.invalidBase64) { try OlmMessage(type: 1, body: "not base64!") }
    }

    @Test("a pre-key message round-trips and names its session")
    func preKeyRoundTrip() throws {
        let pair = try SessionPair(seed: 1, established: false)
        var session = pair.aliceSession
        guard case .preKey(let message) = try session.encrypt(Array("x".utf8)) else {
            Issue.record("expected a pre-key message")
            return
        }
        let parsed = try PreKeyMessage(bytes: message.bytes)
        #expect(parsed == message)
        #expect(parsed.sessionID == session.sessionID)
        #expect(session.matches(parsed))
        #expect(!pair.bobSession.matches(try PreKeyMessage(bytes: try SessionPair(seed: 2, established: false).aliceSession
            .encryptedPreKey())))
    }
}

extension OlmSession {
    fileprivate func encryptedPreKey() throws -> [UInt8] {
        var copy = self
        return try copy.encrypt(Array("y".utf8)).bytes
    }
}
