// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
@testable import KeyMeshP2P
import KeyMeshTestSupport
import Testing

/// The message parser of docs/P2P.md §4 on hostile input: typed errors, limits, exact lengths.
@Suite("P2P message parsing")
struct P2PMessageParseTests {
    static let valid: JSONObject = [
        "version": 1, "srcclientid": "DEVA", "srckeyid": "AAAAAAAAAAAA", "dstclientid": "DEVB",
        "dstkeyid": "BBBBBBBBBBBB", "sequence": 2, "type": "authproof",
        "ciphertext": .string(Base64.encode([UInt8](repeating: 9, count: 40))),
    ]

    func refused(_ change: (inout JSONObject) -> Void) -> P2PError? {
        var object = Self.valid
        change(&object)
        do { _ = try P2PMessage.parse(object); return nil } catch { return error }
    }

    @Test func validMessageRoundTrips() throws {
        let m = try P2PMessage.parse(Self.valid)
        #expect(m.header.sequence == 2 && m.header.type == .authproof)
        #expect(m.content == Self.valid)
        #expect(try P2PMessage.parse(bytes: m.bytes) == m)
    }

    @Test func headerFieldsAreChecked() {
        #expect(refused { $0["type"] = "gossip" } == .unknownType("gossip"))
        #expect(refused { $0["type"] = 3 } == .malformed("message.type must be a string"))
        #expect(refused { $0["version"] = 2 } == .malformed("message.version must be 1"))
        #expect(refused { $0["version"] = nil } == .malformed("message.version must be 1"))
        for bad: JSONValue in [0, -1, .int(JSONValue.maxSafeInteger + 1), "2"] {
            #expect(refused { $0["sequence"] = bad } != nil)
        }
        #expect(refused { $0["sequence"] = .int(JSONValue.maxSafeInteger) } == nil)
        for field in ["srcclientid", "srckeyid", "dstclientid", "dstkeyid"] {
            for bad: JSONValue in ["", .string(String(repeating: "a", count: 256)), "a\u{0}b", "tab\there", "é", 5] {
                #expect(refused { $0[field] = bad } != nil, "\(field)")
            }
            #expect(refused { $0[field] = .string(String(repeating: "a", count: 255)) } == nil)
        }
    }

    @Test func payloadFormIsChecked() {
        #expect(refused { $0["body"] = [:] } == .malformed("an encrypted message has no body"))
        #expect(refused { $0["ciphertext"] = nil } == .malformed("message.ciphertext must be a string"))
        #expect(refused { $0["ciphertext"] = "AAAA" } == .malformed("message.ciphertext is shorter than a tag"))
        #expect(refused { $0["ciphertext"] = "AAAA*AAA" } == .malformed("message.ciphertext is not base64"))
        // Truncated base64 (a length no base64 text can have).
        let full = Base64.encode([UInt8](repeating: 9, count: 40))
        #expect(full.count == 54)
        #expect(refused { $0["ciphertext"] = .string(String(full.dropLast(1))) } == .malformed("message.ciphertext is not base64"))
        #expect(refused { $0["type"] = "sessionrequest" } == .malformed("a plain message has no ciphertext"))
        #expect(refused { $0["type"] = "sessionrequest"; $0["ciphertext"] = nil } == .malformed("message.body must be an object"))
    }

    @Test func sizeAndDepthLimitsHold() throws {
        // Over 64 KiB: refused from bytes before parsing, and as an object.
        var big = Self.valid
        big["ciphertext"] = .string(Base64.encode([UInt8](repeating: 1, count: 49_200)))
        let bytes = try CanonicalJSON.encode(.object(big))
        #expect(bytes.count > 64 * 1024)
        #expect(throws: P2PError.tooLarge) { try P2PMessage.parse(bytes: bytes) }
        #expect(throws: P2PError.tooLarge) { try P2PMessage.parse(big) }
        // Depth: 16 levels in all are fine, 17 are not (the content object is level 1).
        func nested(_ levels: Int) -> JSONObject {
            var value: JSONValue = 1
            for _ in 0..<levels { value = ["x": value] }
            var object = Self.valid
            object["type"] = "sessionresponse"
            object["ciphertext"] = nil
            object["body"] = value
            return object
        }
        #expect(throws: Never.self) { try P2PMessage.parse(nested(15)) }
        #expect(throws: P2PError.malformed("message is nested deeper than 16")) { try P2PMessage.parse(nested(16)) }
        #expect(throws: Never.self) { try P2PMessage.parse(bytes: try CanonicalJSON.encode(.object(nested(15)))) }
        #expect(throws: P2PError.malformed("message is nested deeper than 16")) {
            try P2PMessage.parse(bytes: try CanonicalJSON.encode(.object(nested(16))))
        }
        let deepText = String(repeating: "[", count: 100_000)
        #expect(throws: P2PError.tooLarge) { try P2PMessage.parse(bytes: Array(deepText.utf8)) }
        #expect(throws: P2PError.malformed("message is nested deeper than 16")) {
            try P2PMessage.parse(bytes: Array(String(repeating: "[", count: 1000).utf8))
        }
        #expect(throws: P2PError.malformed("message is not a JSON object")) { try P2PMessage.parse(bytes: Array("[]".utf8)) }
        #expect(throws: P2PError.malformed("message is not valid JSON")) { try P2PMessage.parse(bytes: Array("{\"a\":1,\"a\":2}".utf8)) }
    }

    @Test func requestBodiesAreChecked() throws {
        let random = SeededRandom(seed: 21)
        let a = TestDevice("JOINER", random: random)
        let b = TestDevice("AUTHORISER", random: random)
        let remote = try b.verifiedRecord()
        let entry = try #require(remote.nominate(now: TestDevice.start, random: random))
        let (_, request) = try P2PInitiator.start(local: try a.local(), remote: remote, entry: entry, purpose: .join,
                                                  now: TestDevice.start, random: random)
        func refused(_ change: (inout JSONObject) -> Void) -> P2PError? {
            guard case .body(var body) = request.payload else { return nil }
            change(&body)
            var m = request
            m.payload = .body(body)
            do { _ = try P2PSessionRequest.parse(m); return nil } catch { return error }
        }
        #expect(refused { _ in } == nil)
        #expect(refused { $0["purpose"] = "steal" } == .malformed("body.purpose must be join or rotation"))
        let key = a.identity.publicKey.base64
        #expect(refused { $0["srckey"] = .string(String(key.dropLast(1))) } == .malformed("body.srckey has the wrong length"))
        #expect(refused { $0["srckey"] = .string(key + "AAAA") } == .malformed("body.srckey has the wrong length"))
        #expect(refused { $0["dstkeydigest"] = .string(String(entry.digest.dropLast(4))) } != nil)
        let otherRecord = try b.record()
        #expect(refused { $0["record"] = .object(otherRecord) } == .malformed("body.record is not the sender's"))
        var wrongSequence = request
        wrongSequence.header.sequence = 2
        #expect(throws: P2PError.wrongSequence(expected: 1, got: 2)) { try P2PSessionRequest.parse(wrongSequence) }
        // The responder refuses a request addressed to another device.
        var b2 = b
        var other = request
        other.header.dstClientID = "SOMEONEELSE"
        #expect(throws: P2PError.wrongRecipient) {
            try P2PResponder.respond(to: try P2PSessionRequest.parse(other), verifiedRecord: try a.verifiedRecord(),
                                     local: try b2.local(), pool: &b2.pool, now: TestDevice.start)
        }
    }

    @Test func typedCodesAreNormalisedOrRefused() throws {
        let code = try P2PAuthCode.parse(typed: " 7k2qx - m9d4a ")
        #expect(code.display == "7K2QX-M9D4A")
        #expect(try P2PAuthCode.parse(typed: "oOiIlL0000").display == "00111-10000")
        // White space of any kind is ignored (docs/P2P.md §7).
        #expect(try P2PAuthCode.parse(typed: "7K2QX\tM9D4A\n").display == "7K2QX-M9D4A")
        #expect(try P2PAuthCode.parse(typed: "7K2QX\u{00A0}M9D4A").display == "7K2QX-M9D4A")
        for bad in ["7K2QX-M9D4", "7K2QX-M9D4AB", "7K2QU-M9D4A", "7K2QX_M9D4A", "", "7K2QX-M9D4É", "７K2QX-M9D4A",
                    String(repeating: "0", count: 10_000)] {
            #expect(throws: P2PError.codeFormat) { try P2PAuthCode.parse(typed: bad) }
        }
        #expect(!code.acceptsProof("M9D4"))
        #expect(!code.acceptsProof("M9D4B"))
        #expect(code.acceptsProof("M9D4A"))
        #expect(!"\(code)".contains("M9D4A"))
    }
}

@Suite("P2P base64 shape check")
struct P2PBase64ShapeTests {
    /// The shape check used for record digests answers exactly as decoding does.
    @Test func shapeCheckAgreesWithDecoding() {
        let random = SeededRandom(seed: 0xBA5E)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ *".utf8)
        var samples = [Base64.encode([UInt8](repeating: 0xFF, count: 32)), Base64.encode([UInt8](repeating: 0, count: 32)) + "=", ""]
        for _ in 0..<3000 {
            var text = Array(Base64.encode(random.bytes(count: 30 + random.next(below: 5))).utf8)
            if random.next(below: 2) == 0, !text.isEmpty {
                text[random.next(below: text.count)] = alphabet[random.next(below: alphabet.count)]
            }
            if random.next(below: 3) == 0 { text += Array("=".utf8) }
            samples.append(String(decoding: text, as: UTF8.self))
        }
        for text in samples {
            let decoded = (try? Base64.decode(text))?.count == 32
            #expect(P2PJSONReader.isBase64(text, length: 32) == decoded, "\(text)")
        }
    }
}
