// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshOlm
import KeyMeshTestSupport
import Testing

/// Drives a session pair through seeded bursts: each burst has 1–8 messages from one side; with
/// `shuffleBursts` each burst is delivered in random order (skipped-key handling on both sides).
struct Traffic {
    let random: SeededRandom
    let shuffleBursts: Bool

    init(seed: UInt64, shuffleBursts: Bool = false) {
        random = SeededRandom(seed: seed)
        self.shuffleBursts = shuffleBursts
    }

    func run(count: Int, ours: inout OlmSession, peer: OlmPeer, peerSession: String) throws {
        var sent = 0
        var fromUs = random.next(below: 2) == 0
        while sent < count {
            let burst = min(1 + random.next(below: 8), count - sent)
            var messages: [(OlmMessage, [UInt8])] = []
            for n in 0..<burst {
                let text = Array("seed \(random.seed) message \(sent + n) \(fromUs ? "→" : "←") ünïcødé".utf8)
                messages.append((fromUs ? try ours.encrypt(text) : try peer.encrypt(session: peerSession, text), text))
            }
            if shuffleBursts { messages = shuffled(messages) }
            for (message, text) in messages {
                let got = fromUs ? try peer.decrypt(session: peerSession, message) : try ours.decrypt(message)
                #expect(got == text, "seed \(random.seed): message \(String(decoding: text, as: UTF8.self))")
            }
            sent += burst
            fromUs.toggle()
        }
    }

    private func shuffled<T>(_ items: [T]) -> [T] {
        var items = items
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, random.next(below: i + 1)) }
        return items
    }
}
