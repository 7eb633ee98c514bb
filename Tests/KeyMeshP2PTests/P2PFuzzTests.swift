// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshP2P
import KeyMeshTestSupport
import Testing

/// Seeded random mutations of valid messages never trap the parser or a session, and a
/// mutated message is never accepted as the original's successor with a different body.
@Suite("P2P parser fuzzing")
struct P2PFuzzTests {
    static let seed: UInt64 = 0xF022
    static let tokens = Array("{}[]\",:0-\\ e".utf8)

    func validMessages(random: SeededRandom) throws -> (TestExchange, [P2PMessage]) {
        let a = TestDevice("JOINER", random: random)
        var b = TestDevice("AUTHORISER", random: random)
        var x = try TestExchange.run(a, &b, random: random)
        let sealed = try x.initiatorSession.seal(.authproof, ["vcm": "ABCDE"])
        var copy = x
        let grant = try copy.responderSession.seal(.authgrant, ["master_key": "AAAA", "n": [1, 2, ["x": nil]]])
        return (x, [x.request, x.response, sealed, grant])
    }

    @Test func mutatedBytesNeverTrap() throws {
        let random = SeededRandom(seed: Self.seed)
        let (x, messages) = try validMessages(random: random)
        var accepted = 0, refused = 0
        for round in 0..<2000 {
            let original = messages[round % messages.count]
            var bytes = original.bytes
            let edits = 1 + random.next(below: 4)
            for _ in 0..<edits {
                switch random.next(below: 5) {
                case 0 where !bytes.isEmpty: bytes[random.next(below: bytes.count)] = UInt8(truncatingIfNeeded: random.next())
                case 1 where !bytes.isEmpty: bytes.remove(at: random.next(below: bytes.count))
                case 2: bytes.insert(Self.tokens[random.next(below: Self.tokens.count)], at: random.next(below: bytes.count + 1))
                case 3 where !bytes.isEmpty: bytes = Array(bytes.prefix(random.next(below: bytes.count)))
                default:
                    if !bytes.isEmpty {
                        let i = random.next(below: bytes.count)
                        bytes[i] ^= 1 << UInt8(random.next(below: 8))
                    }
                }
            }
            do {
                let message = try P2PMessage.parse(bytes: bytes)
                accepted += 1
                _ = message.content
                _ = try? P2PSessionRequest.parse(message)
                if case .body(let body) = message.payload { _ = try? P2PSessionResponse(parsing: body) }
                var session = x.responderSession
                if let body = try? session.open(message, now: TestDevice.start) {
                    // Only an unchanged authproof (same header, same ciphertext) may open.
                    #expect(message == messages[2], "seed \(Self.seed) round \(round)")
                    #expect(body == ["vcm": "ABCDE"])
                }
            } catch {
                refused += 1
            }
        }
        #expect(accepted + refused == 2000)
        #expect(refused > 500)
    }

    @Test func mutatedObjectsNeverTrap() throws {
        let random = SeededRandom(seed: Self.seed + 1)
        let (_, messages) = try validMessages(random: random)
        let values: [JSONValue] = [.null, true, 0, -1, 1, .int(JSONValue.maxSafeInteger), "", "x", "\u{0}",
                                   .string(String(repeating: "A", count: 300)), [], [:], [["x": 1]]]
        for round in 0..<2000 {
            var content = messages[round % messages.count].content
            let keys = content.keys + ["extra"]
            content[keys[random.next(below: keys.count)]] = random.next(below: 4) == 0 ? nil : values[random.next(below: values.count)]
            if case .object(var body)? = content["body"], !body.isEmpty {
                let bodyKeys = body.keys
                body[bodyKeys[random.next(below: bodyKeys.count)]] = values[random.next(below: values.count)]
                content["body"] = .object(body)
            }
            if let message = try? P2PMessage.parse(content) {
                _ = try? P2PSessionRequest.parse(message)
                if case .body(let body) = message.payload {
                    _ = try? P2PSessionResponse(parsing: body)
                    _ = try? P2PSecrets(body: body)
                    _ = try? P2PPoolRecord.parseUnverified(body)
                }
            }
        }
    }
}
