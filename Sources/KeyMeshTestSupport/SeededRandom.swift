// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import Synchronization

/// A deterministic ``RandomSource`` for tests (SplitMix64). Not for keys anyone relies on:
/// it exists so failing property tests can be replayed from the seed they print.
public final class SeededRandom: RandomSource {
    private let state: Mutex<UInt64>
    /// The seed this source started from.
    public let seed: UInt64

    /// Starts from `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        state = Mutex(seed)
    }

    /// The next 64 pseudo-random bits.
    public func next() -> UInt64 {
        state.withLock { s in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A value in `0..<bound` (`bound` > 0).
    public func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var i = 0
        while i < buffer.count {
            var word = next()
            for _ in 0..<8 where i < buffer.count {
                buffer[i] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                i += 1
            }
        }
    }
}

/// A ``RandomSource`` that hands out fixed buffers in order, to reproduce another
/// implementation's run byte for byte (the libolm vector of docs/OLM.md).
public final class ScriptedRandom: RandomSource {
    private let chunks: Mutex<[[UInt8]]>

    /// Hands out `chunks` in order; each request must match the next chunk's length.
    public init(_ chunks: [[UInt8]]) { self.chunks = Mutex(chunks) }

    /// Whether every chunk was used.
    public var isExhausted: Bool { chunks.withLock { $0.isEmpty } }

    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        let chunk = chunks.withLock { $0.isEmpty ? [] : $0.removeFirst() }
        precondition(chunk.count == buffer.count, "script asked for \(buffer.count) bytes, has \(chunk.count)") // test misuse
        buffer.copyBytes(from: chunk)
    }

    /// Bytes `start, start+1, …` for `count` bytes (the vector's `00..1f` notation).
    public static func run(from start: UInt8, count: Int = 32) -> [UInt8] {
        (0..<count).map { start &+ UInt8($0) }
    }
}
