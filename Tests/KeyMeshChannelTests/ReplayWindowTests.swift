// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshTestSupport
import Testing

@testable import KeyMeshChannel

/// The RFC 6479 window of packet mode (docs/channel-protocol.md §5): 2048 counters.
@Suite("replay window")
struct ReplayWindowTests {
    /// The window's meaning, stated plainly: a set of everything accepted and the highest.
    struct Model {
        var seen: Set<UInt64> = []
        var highest: UInt64 = 0

        func check(_ counter: UInt64) -> Bool {
            counter > highest || (highest - counter < ReplayWindow.size && !seen.contains(counter))
        }

        mutating func accept(_ counter: UInt64) {
            seen.insert(counter)
            highest = max(highest, counter)
        }
    }

    /// Offers `counter` as a transport does: accept only if check passes. Returns whether it was accepted.
    @discardableResult
    static func offer(_ window: inout ReplayWindow, _ counter: UInt64) -> Bool {
        guard window.check(counter) else { return false }
        window.accept(counter)
        return true
    }

    @Test("the window is 2048 counters")
    func size() { #expect(ReplayWindow.size == 2048) }

    @Test("in-order counters are accepted once each, starting from 0")
    func inOrder() {
        var window = ReplayWindow()
        for counter in UInt64(0)..<3000 {
            #expect(Self.offer(&window, counter), "counter \(counter)")
            #expect(!window.check(counter), "counter \(counter) again")
        }
    }

    @Test("a duplicate is rejected, whether it is the highest or below it")
    func duplicate() {
        var window = ReplayWindow()
        for counter: UInt64 in [5, 9, 7] { Self.offer(&window, counter) }
        for counter: UInt64 in [5, 9, 7] { #expect(!window.check(counter), "\(counter)") }
        #expect(window.check(6) && window.check(8) && window.check(10))
    }

    @Test("check does not commit: only accept moves the window")
    func checkIsPure() {
        var window = ReplayWindow()
        window.accept(3000)
        let before = window
        #expect(window.check(3001))
        #expect(window.check(5000))
        #expect(window == before)
        #expect(window.check(2000))  // still within 2047 of 3000
    }

    @Test("out of order within the window: accepted once")
    func outOfOrder() {
        var window = ReplayWindow()
        Self.offer(&window, 100)
        for counter: UInt64 in [99, 50, 0, 1, 98] {
            #expect(Self.offer(&window, counter), "\(counter)")
            #expect(!Self.offer(&window, counter), "\(counter) again")
        }
    }

    @Test("2047 below the highest is accepted if unseen; 2048 below is too old", arguments: [2049, 5000, 64 * 100 + 63, 1 << 40] as [UInt64])
    func edge(highest: UInt64) {
        var window = ReplayWindow()
        window.accept(highest)
        #expect(window.check(highest - 2047))
        #expect(!window.check(highest - 2048))
        #expect(!window.check(highest - 2049))
        #expect(Self.offer(&window, highest - 2047))
        #expect(!window.check(highest - 2047))
        // every unseen counter inside the window is accepted
        var rejected: [UInt64] = []
        for counter in (highest - 2046)..<highest where !window.check(counter) { rejected.append(counter) }
        #expect(rejected.isEmpty)
    }

    @Test("a jump of 10,000 clears the old bits: old counters are too old, new ones in the window are fresh")
    func bigJump() {
        var window = ReplayWindow()
        for counter in UInt64(0)..<2200 { Self.offer(&window, counter) }  // every bit of the ring set
        let top = UInt64(2199 + 10_000)
        #expect(Self.offer(&window, top))
        for old: UInt64 in [0, 1000, 2199, top - 2048] { #expect(!window.check(old), "\(old)") }
        var wronglyRejected: [UInt64] = []
        for counter in (top - 2047)..<top where !window.check(counter) { wronglyRejected.append(counter) }
        #expect(wronglyRejected.isEmpty, "stale bits survived the jump: \(wronglyRejected.prefix(5))")
    }

    @Test("jumps of a few blocks clear exactly the blocks they pass over", arguments: [1, 63, 64, 65, 640, 2047, 2048, 2111, 2112, 2113] as [UInt64])
    func partialJump(jump: UInt64) {
        var window = ReplayWindow()
        var model = Model()
        for counter in UInt64(0)..<2200 {
            Self.offer(&window, counter)
            model.accept(counter)
        }
        let top = 2199 + jump
        Self.offer(&window, top)
        model.accept(top)
        var mismatches: [UInt64] = []
        for counter in (top > 3000 ? top - 3000 : 0)...(top + 5) where window.check(counter) != model.check(counter) {
            mismatches.append(counter)
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }

    /// Random arrivals compared against the model.
    static func compare(_ arrivals: [UInt64]) -> [String] {
        var window = ReplayWindow()
        var model = Model()
        var mismatches: [String] = []
        for (step, counter) in arrivals.enumerated() {
            let expected = model.check(counter)
            let got = window.check(counter)
            if got != expected {
                mismatches.append("step \(step): counter \(counter) (highest \(model.highest)) window \(got), model \(expected)")
                if mismatches.count >= 5 { break }
                continue
            }
            if got {
                window.accept(counter)
                model.accept(counter)
            }
        }
        return mismatches
    }

    @Test("property: a shuffled 0..<5000 with duplicates agrees with the set model", arguments: [UInt64(1), 2, 3, 0xC0FFEE])
    func shuffled(seed: UInt64) {
        let random = SeededRandom(seed: seed)
        var arrivals = Array(UInt64(0)..<5000)
        for index in stride(from: arrivals.count - 1, to: 0, by: -1) {
            arrivals.swapAt(index, random.next(below: index + 1))
        }
        for _ in 0..<1500 {  // duplicates, re-offered later
            let source = random.next(below: arrivals.count)
            let target = source + random.next(below: arrivals.count - source) + 1
            arrivals.insert(arrivals[source], at: min(target, arrivals.count))
        }
        let mismatches = Self.compare(arrivals)
        #expect(mismatches.isEmpty, "seed \(seed): \(mismatches)")
        // the test exercises both outcomes
        var window = ReplayWindow()
        let accepted = arrivals.filter { Self.offer(&window, $0) }.count
        #expect(accepted > 1000 && accepted < 5000, "seed \(seed): accepted \(accepted)")
    }

    @Test("property: mostly increasing counters with jitter of ±3000 and repeats agree with the model",
          arguments: [UInt64(10), 11, 12])
    func jittered(seed: UInt64) {
        let random = SeededRandom(seed: seed)
        var arrivals: [UInt64] = []
        var previous: [UInt64] = []
        for base in stride(from: UInt64(3000), to: 40_000, by: 4) {
            let counter = base + UInt64(random.next(below: 6000)) - 3000
            arrivals.append(counter)
            previous.append(counter)
            if random.next(below: 4) == 0 { arrivals.append(previous[random.next(below: previous.count)]) }
            if random.next(below: 500) == 0 { arrivals.append(base + UInt64(random.next(below: 200_000))) }  // a leap
        }
        let mismatches = Self.compare(arrivals)
        #expect(mismatches.isEmpty, "seed \(seed): \(mismatches)")
    }
}
