// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

@testable import KeyMeshCrypto
import KeyMeshTestSupport
import Synchronization
import Testing

@Suite("BufferedRandom: cached OS randomness, handed out once and wiped")
struct BufferedRandomTests {
    @Test("hands out the source's bytes in order, unchanged, across refills")
    func passesSourceBytesThrough() {
        let buffered = BufferedRandom(capacity: 64, source: SeededRandom(seed: 7))
        var drawn: [UInt8] = []
        for count in [1, 15, 16, 7, 16, 9, 16, 16, 12] { drawn += buffered.bytes(count: count) }
        // The cache draws whole 64-byte blocks, so the stream equals the source's own stream.
        let direct = SeededRandom(seed: 7).bytes(count: 128)
        #expect(drawn == Array(direct[..<drawn.count]))
        #expect(drawn.count == 108)
        #expect(buffered.remaining == 128 - 108)
    }

    @Test("no byte is handed out twice: successive draws differ")
    func distinctOutputs() {
        let buffered = BufferedRandom()
        var seen = Set<[UInt8]>()
        for _ in 0..<2000 { seen.insert(buffered.bytes(count: 16)) }
        #expect(seen.count == 2000)
        #expect(buffered.bytes(count: 32) != [UInt8](repeating: 0, count: 32))
    }

    @Test("bytes handed out are wiped in the cache")
    func wipesHandedOutBytes() {
        let buffered = BufferedRandom(capacity: 256, source: SeededRandom(seed: 1))
        #expect(buffered.remaining == 0)
        _ = buffered.bytes(count: 48)
        _ = buffered.secret(count: 16)
        #expect(buffered.remaining == 256 - 64)
        #expect(buffered.handedOutBytesAreWiped)
    }

    @Test("a request over a quarter of the cache goes to the source and leaves the cache alone")
    func largeRequestsBypass() {
        let buffered = BufferedRandom(capacity: 64, source: SeededRandom(seed: 3))
        let large = buffered.bytes(count: 17)
        #expect(large == SeededRandom(seed: 3).bytes(count: 17))
        #expect(buffered.remaining == 0)
        #expect(buffered.bytes(count: 0).isEmpty)
    }

    @Test("concurrent draws never share a byte position")
    func threadSafe() async {
        // Each draw is 8 bytes of a counter stream, so a byte handed out twice shows as a duplicate.
        let buffered = BufferedRandom(capacity: 4096, source: SeededRandom(seed: 11))
        let draws = await withTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<2000).map { _ in buffered.bytes(count: 8) } }
            }
            var all: [[UInt8]] = []
            for await part in group { all += part }
            return all
        }
        #expect(draws.count == 16_000)
        #expect(Set(draws).count == 16_000)
        let stream = SeededRandom(seed: 11).bytes(count: 16_000 * 8)
        let expected = Set(stride(from: 0, to: stream.count, by: 8).map { Array(stream[$0..<($0 + 8)]) })
        #expect(Set(draws) == expected)
    }
}
