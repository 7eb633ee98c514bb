// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshOlm
import KeyMeshTestSupport
import Testing

@Suite("Olm sessions under random order and loss")
struct SessionPropertyTests {
    @Test("1200 messages in random bursts, each burst shuffled with 10% loss, all delivered ones decrypt",
          arguments: [UInt64(0xA11CE), 0xB0B, 0xC0FFEE])
    func randomOrderAndLoss(seed: UInt64) throws {
        let random = SeededRandom(seed: seed)
        var pair = try SessionPair(seed: seed)
        var delivered = 0
        var total = 0
        var aliceSends = true
        while total < 1200 {
            // bursts stay within the 40 skipped keys a chain keeps
            let burst = 1 + random.next(below: 30)
            var messages: [(OlmMessage, [UInt8])] = []
            for n in 0..<burst {
                let text = Array("seed \(seed) #\(total + n)".utf8) + random.bytes(count: random.next(below: 64))
                let message = aliceSends ? try pair.aliceSession.encrypt(text, using: random)
                                         : try pair.bobSession.encrypt(text, using: random)
                messages.append((message, text))
            }
            for i in stride(from: messages.count - 1, to: 0, by: -1) { messages.swapAt(i, random.next(below: i + 1)) }
            for (message, text) in messages where random.next(below: 10) != 0 {
                let plaintext = aliceSends ? try pair.bobSession.decrypt(message) : try pair.aliceSession.decrypt(message)
                #expect(plaintext == text, "seed \(seed)")
                delivered += 1
            }
            total += burst
            aliceSends = random.next(below: 3) != 0 ? !aliceSends : aliceSends
        }
        #expect(delivered > 1000, "seed \(seed)")
    }

    @Test("a late message decrypts after later ones, then never again")
    func lateMessageOnce() throws {
        var pair = try SessionPair(seed: 9)
        let messages = try (0..<5).map { try pair.aliceSession.encrypt(Array("m\($0)".utf8)) }
        for index in [4, 1, 3, 0, 2] {
            #expect(try pair.bobSession.decrypt(messages[index]) == Array("m\(index)".utf8))
        }
        for message in messages {
            #expect(throws: DecryptionError.self) { try pair.bobSession.decrypt(message) }
        }
    }

    @Test("keys older than the 40 skipped slots are gone; the 40 just below the target remain")
    func skippedKeyLimit() throws {
        var pair = try SessionPair(seed: 10)
        let messages = try (0..<60).map { try pair.aliceSession.encrypt(Array("m\($0)".utf8)) }
        _ = try pair.bobSession.decrypt(messages[59])
        #expect(throws: DecryptionError.missingMessageKey(index: 18)) { try pair.bobSession.decrypt(messages[18]) }
        for index in 19..<59 { #expect(try pair.bobSession.decrypt(messages[index]) == Array("m\(index)".utf8)) }
    }

    @Test("a jump of more than 2000 indices is refused; 2000 is accepted")
    func messageGap() throws {
        var pair = try SessionPair(seed: 11)
        var messages: [OlmMessage] = []
        for n in 0...2002 { messages.append(try pair.aliceSession.encrypt(Array("m\(n)".utf8))) }
        var bob = pair.bobSession
        #expect(throws: DecryptionError.tooBigMessageGap(gap: 2002, limit: 2000)) { try bob.decrypt(messages[2002]) }
        #expect(try bob.decrypt(messages[2000]) == Array("m2000".utf8))
    }

    @Test("only the five newest receiving chains are kept")
    func receivingChainLimit() throws {
        var pair = try SessionPair(seed: 12)
        var stale: [OlmMessage] = []
        for round in 0..<7 {
            stale.append(try pair.aliceSession.encrypt(Array("held \(round)".utf8)))
            _ = try pair.bobSession.decrypt(try pair.aliceSession.encrypt(Array("r\(round)".utf8)))
            _ = try pair.aliceSession.decrypt(try pair.bobSession.encrypt(Array("r\(round)".utf8)))
        }
        // the two oldest chains were dropped; the newest held messages still decrypt
        #expect(throws: DecryptionError.self) { try pair.bobSession.decrypt(stale[0]) }
        #expect(try pair.bobSession.decrypt(stale[6]) == Array("held 6".utf8))
        #expect(try pair.bobSession.decrypt(stale[3]) == Array("held 3".utf8))
    }

    @Test("sessions send pre-key messages until they have received, then normal messages")
    func messageTypes() throws {
        var pair = try SessionPair(seed: 13, established: false)
        #expect(try pair.aliceSession.encrypt(Array("a".utf8)).messageType == 0)
        #expect(try pair.bobSession.encrypt(Array("b".utf8)).messageType == 1)
        let reply = try pair.bobSession.encrypt(Array("c".utf8))
        _ = try pair.aliceSession.decrypt(reply)
        #expect(try pair.aliceSession.encrypt(Array("d".utf8)).messageType == 1)
    }
}
